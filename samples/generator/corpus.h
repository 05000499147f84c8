// The page corpus: single scanned pages of every document type the generator knows and some
// pages of no type ("other"), each under one degradation, with the truth of each page. It
// measures page classification (tools/classify_eval) and OCR (character error rate against the
// lines of text drawn).
//
// Layout of OUT_DIR:
//   pages/NNNN-<type>-<page>-<degradation>.<png|jpg|tif>   one image per page
//   truth.jsonl                                              one JSON object per page, in order
// Each truth line: file (relative to OUT_DIR), document (id of the document the page belongs
// to), page and pages (its number and the document's page count), doc_type (profile type id or
// "other"), variant (which variant of the type, may be empty), degradation, dpi (the rendering's
// pixels per inch of paper), dpi_in_file (what the image records; 0 for photos), rotation
// (clockwise degrees applied: 0/90/180/270), skew (degrees applied, clockwise positive), format
// (png, jpeg, tiff-g4, jpeg-rgb), seed, and lines: the text drawn, one string per line in reading
// order (see RenderPage: seals are not lines); for a held-out corpus also font, filled_font and
// layout (e.g. "spaced-title+cells+letterhead"; "standard" when none).
//
// Deterministic: the same options give the same bytes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/result.h"

namespace intake::samplegen {

struct CorpusOptions {
  int pages = 121;                // at least this many pages (a document's pages stay together)
  std::uint32_t seed = 2026;      // everything varies with it: patients, variants, degradations
  std::filesystem::path profile;  // every page of a profile type is checked against it
  // Held out from tuning: pages drawn in typefaces and layouts the reading was never tuned on
  // (IPA Mincho, Takao, VL Gothic, M+, Motoya Cedar; values filled in Klee or YOzFont by hand;
  // letter-spaced or left titles, fields in ruled cells, letterheads), with punch holes, folds,
  // staple shadows and dark borders, and blank duplex backs with the front showing through
  // (truth "other", variant "duplex_back"). Each truth line then also names its font and layout.
  bool held_out = false;
  std::vector<std::string> types;  // only these document types ("other" for pages of none); all
};

// The degradations, in the order the corpus cycles through them: clean, skew1, skew3, rot90,
// rot180, rot270, noise, jpeg40, dpi200, bilevel, photo.
const std::vector<std::string>& CorpusDegradations();

// Writes the corpus into `out_dir` (created; an existing pages/ folder and truth.jsonl are
// replaced).
Status WriteCorpus(const std::filesystem::path& out_dir, const CorpusOptions& options);

}  // namespace intake::samplegen
