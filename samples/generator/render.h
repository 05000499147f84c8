// Rendering: lays out document content on A4 pages with pango + cairo.
//
// Units are points (1/72 in) with the origin at the page's top-left. The same drawing code
// writes a born-digital PDF (real text layer, fonts embedded by cairo) and grey raster pages
// for the scan formats. Fonts: Noto Sans CJK JP; signatures in Noto Serif CJK JP (PageStyle
// changes them, and the layout, for the corpus's held-out pages).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/result.h"
#include "samples/generator/content.h"
#include "samples/generator/grey_image.h"

namespace intake::samplegen {

inline constexpr double kA4WidthPt = 595.2756;
inline constexpr double kA4HeightPt = 841.8898;

// Fixed PDF creation date, so that the same sample gives the same bytes.
inline constexpr const char* kPdfCreateDate = "2026-11-01T09:00:00+09:00";

// How a page is drawn beyond its content: typefaces, the title's spacing and place, fields in
// ruled cells, values filled in by hand, a letterhead. The default is the style the samples and
// the tuning corpus use; the held-out corpus draws others, never seen while the reading was tuned.
enum class ChoiceMark {
  kFilledBox,  // ■ before the chosen option, □ before the others (as the content writes it)
  kCheckedBox,  // □ before every option, a hand-drawn tick over the chosen one's box
  kCircled,     // no boxes; a hand-drawn ring around the chosen option
};

struct PageStyle {
  ChoiceMark choice_mark = ChoiceMark::kFilledBox;
  std::string print_font = "Noto Sans CJK JP";
  std::string filled_font = "Noto Serif CJK JP";  // signatures; every value when handwritten
  bool values_handwritten = false;                // a form filled in by hand
  bool title_letter_spaced = false;               // 相　談　同　意　書 (the text stays unspaced)
  bool title_left = false;                        // at the left margin, not centred
  bool fields_in_cells = false;                   // label and value in ruled cells
  std::string letterhead;                         // small, above everything, with a rule under it
};

// Writes the documents' pages, in order, as a born-digital PDF with a text layer.
// Fails when a page's content does not fit on A4.
Status WriteTextPdf(const std::filesystem::path& path,
                    const std::vector<DocumentContent>& documents);

// Renders one page to a clean grey image (white paper, black ink, red seals turned grey).
Result<GreyImage> RenderPageGrey(const PageContent& page, int dpi);

// A rendered page and its text: every line as laid out (after wrapping), top to bottom; a table
// row's cells joined left to right with a space. Seals (印) are pictures of text, not lines.
struct RenderedPage {
  GreyImage image;
  std::vector<std::string> lines;
};
Result<RenderedPage> RenderPage(const PageContent& page, int dpi,
                                const PageStyle& style = PageStyle());

}  // namespace intake::samplegen
