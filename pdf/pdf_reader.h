// Reading PDFs: the Poppler adapter (with pdf_render.h, drawing pages, and pdf_scan_image.h,
// taking a scan's image). Nothing outside pdf/ sees a Poppler type; callers get the text layer,
// the page's size, its words with their boxes and the page drawn in grey as our own values.
//
//   auto doc = pdf::PdfDocument::Open(path);
//   if (doc.state() == pdf::PdfDocument::State::kPasswordProtected) ...
//   for (int i = 0; i < doc.page_count(); ++i)
//     if (auto page = doc.OpenPage(i)) use(page->Text(), page->width_pt(), page->DrawGray(300));
//
// Poppler's own messages (they can quote the file) are turned off the first time a document is
// opened. A document and its pages belong to one thread; different documents on different
// threads share nothing. Pages must not outlive their document.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ocr/ocr_pool.h"
#include "pdf/pdf_render.h"
#include "pipeline/result.h"

namespace intake::pdf {

// A word of a page's text layer. Its box is in points from the page's top-left corner.
struct PdfWord {
  std::string text;  // UTF-8
  double left = 0;
  double top = 0;
  double width = 0;
  double height = 0;
  bool vertical = false;     // written top to bottom (turned a quarter turn)
  bool space_after = false;  // a space follows it in the text
};

class PdfPage {
 public:
  PdfPage(PdfPage&&) noexcept;
  PdfPage& operator=(PdfPage&&) noexcept;
  ~PdfPage();

  // The page's text layer in reading order, UTF-8 (empty for a scan without one).
  std::string Text() const;
  // The words of the text layer in reading order.
  std::vector<PdfWord> Words() const;
  // The page's size in points (its crop box).
  double width_pt() const;
  double height_pt() const;
  // The page drawn in 8-bit grey at `dpi` (pdf_render.h's RenderDpi keeps it within what OCR
  // reads), stopped once `deadline` has passed (RenderPdfPage). Check CheckDeclaredImages first
  // for files from outside.
  Result<ocr::GrayImage> DrawGray(double dpi, DrawDeadline deadline = kNoDrawDeadline) const;

 private:
  friend class PdfDocument;
  struct Impl;
  explicit PdfPage(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class PdfDocument {
 public:
  enum class State { kOpen, kPasswordProtected, kUnreadable };

  // Opens `pdf`; state() says whether it can be read.
  static PdfDocument Open(const std::filesystem::path& pdf);

  PdfDocument(PdfDocument&&) noexcept;
  PdfDocument& operator=(PdfDocument&&) noexcept;
  ~PdfDocument();

  State state() const;
  bool ok() const { return state() == State::kOpen; }
  int page_count() const;  // 0 unless open
  // Page `index` (0-based); nullopt when it is not there or cannot be read.
  std::optional<PdfPage> OpenPage(int index) const;

 private:
  struct Impl;
  explicit PdfDocument(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace intake::pdf
