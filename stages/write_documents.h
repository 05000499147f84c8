// Write-documents stage: one searchable PDF per document for the physician, after classify.
//
// Writes each document into its type's folder of the case folder (stages/case_folder.h:
// `01_紹介状/01_診療情報提供書（紹介状）.pdf`, the number being the document's place in the case)
// through a temporary file and a rename, and sets Document::pdf to the path relative to the case
// folder. Every page
// looks and searches the same, whatever its source: OCR'd pages show the upright image OCR read
// with its lines as invisible text; pages with a PDF text layer are rendered with Poppler at
// `text_layer_dpi` and get Poppler's words, grouped into lines, as the invisible text. Lines
// that held a My Number (stages/screen) are masked in the text and painted black in the image.
//
// A page that cannot be shown (no image, or one that cannot be rendered) is left out of its
// document's PDF and logged; a document without any page gets no PDF. Failing to write a file
// fails the case (disk full, permissions).
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>

#include "pipeline/stage.h"
#include "stages/case_folder.h"

namespace intake::stages {

struct WriteDocumentsOptions {
  std::filesystem::path case_dir;
  CaseFolderLayout layout;
  // Tesseract's glyphless font (see pdf/searchable_pdf.h); the PDFs are written without an
  // embedded font program when it is absent.
  std::filesystem::path glyph_font = "/usr/share/tesseract-ocr/5/tessdata/pdf.ttf";
  int text_layer_dpi = 150;
  int jpeg_quality = 75;
  // Time drawing one text-layer page may take (a page Poppler would draw for minutes is left
  // out of its PDF, as a page that cannot be drawn is).
  std::chrono::milliseconds draw_time_limit{std::chrono::seconds(120)};
};

std::unique_ptr<Stage> MakeWriteDocumentsStage(WriteDocumentsOptions options);

}  // namespace intake::stages
