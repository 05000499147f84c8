// Page evidence stage: keeps each page's image and what was read from it in the case folder,
// for the review screen (serve/), and finds on the image the words that gave each fact and the
// page's classification.
//
// For each page with an image (Page::read_image: what OCR read, or the page as drawn for its
// PDF), writes into the case folder's `.pages/`:
// - `<page id>.jpg` (or `.png`): a hard link to the work area's image (no copy, no re-encoding),
//   or, when a line held a My Number, the image with those lines painted black;
// - `<page id>.json` (schema `intake.page/1`, docs/report-schema.md): the image's size and
//   resolution, the lines and words read with their boxes (pixels of the image), the boxes of
//   each fact read from the page and of the classification's keywords. Lines that held a My
//   Number keep only their masked text.
// and sets Page::view_image, view_text, evidence_boxes and the facts' FactSource::boxes.
//
// A fact is found on its page by the text it was read from (FactSource::matched: its label and
// what follows), else by its value, else by the longest start of that text the page holds; a
// keyword exactly, else within the edits classification tolerates. Run after facts. A page whose
// files cannot be written is logged by id and goes without; the case goes on.
#pragma once

#include <filesystem>
#include <memory>

#include "pipeline/stage.h"

namespace intake::stages {

// The case folder's sub-folder for the page images and texts.
inline constexpr const char* kPageViewFolder = ".pages";

std::unique_ptr<Stage> MakePageEvidenceStage(std::filesystem::path case_dir);

}  // namespace intake::stages
