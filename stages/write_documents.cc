#include "stages/write_documents.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "ocr/page_image.h"
#include "pdf/pdf_reader.h"
#include "pdf/pdf_render.h"
#include "pdf/searchable_pdf.h"
#include "pipeline/log.h"
#include "stages/screen.h"

namespace intake::stages {
namespace {

namespace fs = std::filesystem;

double Milliseconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since)
      .count();
}

// The text layer's words, in reading order, joined into lines: consecutive words of the same
// direction whose boxes overlap across the line direction. Boxes in points, from the top-left
// corner.
struct WordLine {
  double left = 0;
  double top = 0;
  double right = 0;
  double bottom = 0;
  bool vertical = false;
  std::string text;
  std::vector<pdf::PdfWord> words = {};  // the line's words, as the text layer has them
};

std::vector<WordLine> GroupWords(const std::vector<pdf::PdfWord>& words) {
  std::vector<WordLine> lines;
  bool space_pending = false;
  for (const pdf::PdfWord& word : words) {
    const WordLine b{word.left, word.top, word.left + word.width, word.top + word.height,
                     word.vertical, word.text};
    if (b.text.empty() || word.width <= 0 || word.height <= 0) continue;
    WordLine* last = lines.empty() ? nullptr : &lines.back();
    bool same_line = false;
    if (last != nullptr && last->vertical == b.vertical) {
      // Overlap across the line direction, against the smaller extent.
      const double overlap = b.vertical
                                 ? std::min(b.right, last->right) - std::max(b.left, last->left)
                                 : std::min(b.bottom, last->bottom) - std::max(b.top, last->top);
      const double extent = b.vertical
                                ? std::min(b.right - b.left, last->right - last->left)
                                : std::min(b.bottom - b.top, last->bottom - last->top);
      const bool forward = b.vertical ? b.top >= last->top : b.left >= last->left;
      same_line = forward && overlap >= 0.5 * extent;
    }
    if (same_line) {
      last->left = std::min(last->left, b.left);
      last->top = std::min(last->top, b.top);
      last->right = std::max(last->right, b.right);
      last->bottom = std::max(last->bottom, b.bottom);
      if (space_pending) last->text += ' ';
      last->text += b.text;
      last->words.push_back(word);
    } else {
      lines.push_back(b);
      lines.back().words.push_back(word);
    }
    space_pending = word.space_after;
  }
  return lines;
}

std::vector<pdf::TextLine> ToPdfLines(const std::vector<TextLine>& lines) {
  std::vector<pdf::TextLine> out;
  out.reserve(lines.size());
  for (const TextLine& l : lines) {
    out.push_back({l.left, l.top, l.width, l.height, l.vertical, l.text});
  }
  return out;
}

// The boxes of the lines that held a My Number, with a margin for anti-aliased edges.
std::vector<ocr::PixelBox> RedactedBoxes(const std::vector<TextLine>& lines) {
  constexpr int kMargin = 4;
  std::vector<ocr::PixelBox> boxes;
  for (const TextLine& l : lines) {
    if (!l.redact) continue;
    boxes.push_back({std::max(0, l.left - kMargin), std::max(0, l.top - kMargin),
                     l.width + 2 * kMargin, l.height + 2 * kMargin});
  }
  return boxes;
}

void PaintBlack(ocr::GrayImage& image, const ocr::PixelBox& box) {
  const int x0 = std::clamp(box.left, 0, image.width);
  const int x1 = std::clamp(box.left + box.width, 0, image.width);
  const int y0 = std::clamp(box.top, 0, image.height);
  const int y1 = std::clamp(box.top + box.height, 0, image.height);
  for (int y = y0; y < y1; ++y) {
    std::fill_n(image.pixels.begin() + static_cast<std::ptrdiff_t>(y) * image.stride + x0, x1 - x0,
                static_cast<unsigned char>(0));
  }
}

class WriteDocumentsStage final : public Stage {
 public:
  explicit WriteDocumentsStage(WriteDocumentsOptions options) : options_(std::move(options)) {}

  std::string_view name() const override { return "write_documents"; }

  Status Run(Case& c) override {
    const auto start = std::chrono::steady_clock::now();
    CloseSource();
    int written = 0;
    int pages = 0;
    int left_out = 0;
    for (std::size_t i = 0; i < c.documents.size(); ++i) {
      Document& document = c.documents[i];
      document.pdf.clear();
      const std::string& folder = options_.layout.DocumentFolder(document.type);
      const std::string name = options_.layout.DocumentFileName(i, document.type);
      const fs::path dir = options_.case_dir / folder;
      std::error_code ec;
      fs::create_directories(dir, ec);
      if (ec) return Status::Fail("could not create a document folder: " + ec.message());
      auto outcome = WriteDocument(c, document, dir / name);
      if (!outcome.ok()) return outcome.status();
      pages += outcome->written;
      left_out += outcome->left_out;
      if (outcome->written > 0) {
        document.pdf = folder + "/" + name;
        ++written;
      } else {
        fs::remove(dir, ec);  // only when empty
      }
    }
    CloseSource();
    GiveDrawnPages(c);
    Log()->info("write_documents: case {}: {} PDFs, {} pages, {} pages left out, {:.0f} ms", c.id,
                written, pages, left_out, Milliseconds(start));
    return Status::Ok();
  }

 private:
  struct Outcome {
    int written = 0;
    int left_out = 0;
  };

  // Draws a text-layer page (pdf/pdf_reader.h) and takes its words for the invisible text.
  struct Rendered {
    pdf::PageImage image;
    std::vector<pdf::TextLine> lines;
  };

  Result<Outcome> WriteDocument(const Case& c, const Document& document, const fs::path& path) {
    using R = Result<Outcome>;
    const auto start = std::chrono::steady_clock::now();
    pdf::WriterOptions writer_options;
    writer_options.glyph_font = options_.glyph_font;
    auto writer = pdf::SearchablePdfWriter::Open(path, writer_options);
    if (!writer.ok()) return R::Fail("document " + document.id + ": " + writer.message());
    Outcome outcome;
    for (const std::string& page_id : document.page_ids) {
      const Page* page = c.FindPage(page_id);
      if (page == nullptr) continue;
      Status added = AddPage(c, *page, **writer);
      if ((*writer)->failed()) return R::Fail("document " + document.id + ": " + added.message());
      if (added.ok()) {
        ++outcome.written;
      } else {
        ++outcome.left_out;
        Log()->warn("write_documents: {} left out of {}: {}", page->id, document.id,
                    added.message());
      }
    }
    if (outcome.written == 0) return outcome;  // the writer removes its temporary file
    if (Status finished = (*writer)->Finish(); !finished.ok()) {
      return R::Fail("document " + document.id + ": " + finished.message());
    }
    Log()->debug("write_documents: {} ({} pages) in {:.0f} ms", document.id, outcome.written,
                 Milliseconds(start));
    return outcome;
  }

  Status AddPage(const Case& c, const Page& page, pdf::SearchablePdfWriter& writer) {
    const auto start = std::chrono::steady_clock::now();
    if (!page.read_image.empty()) {
      pdf::PageImage image;
      image.codec =
          page.read_image.extension() == ".png" ? pdf::ImageCodec::kPng : pdf::ImageCodec::kJpeg;
      image.dpi = page.read_image_dpi > 0 ? page.read_image_dpi : 300;
      const std::vector<ocr::PixelBox> redacted = RedactedBoxes(page.lines);
      if (redacted.empty()) {
        std::ifstream in(page.read_image, std::ios::binary);
        if (!in) return Status::Fail("the page image is missing");
        image.bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      } else {
        auto painted = ocr::PaintedOver(page.read_image, redacted, options_.jpeg_quality);
        if (!painted.ok()) return painted.status();
        image.bytes = std::move(*painted);
      }
      Status added = writer.AddPage(image, ToPdfLines(page.lines));
      Log()->trace("write_documents: {} (OCR image) in {:.1f} ms", page.id, Milliseconds(start));
      return added;
    }
    if (page.text_source == TextSource::kPdfTextLayer) {
      auto rendered = RenderTextLayerPage(c, page);
      if (!rendered.ok()) return rendered.status();
      Status added = writer.AddPage(rendered->image, rendered->lines);
      Log()->trace("write_documents: {} (rendered) in {:.1f} ms", page.id, Milliseconds(start));
      return added;
    }
    return Status::Fail("the page has no image (it could not be read)");
  }

  Result<Rendered> RenderTextLayerPage(const Case& c, const Page& page) {
    using R = Result<Rendered>;
    if (open_file_id_ != page.file_id) {
      open_document_.reset();
      open_file_id_ = page.file_id;
      const SourceFile* file = c.FindFile(page.file_id);
      if (file != nullptr) open_document_ = pdf::PdfDocument::Open(file->path);
    }
    if (!open_document_ || !open_document_->ok()) {
      return R::Fail("the PDF could not be opened again");
    }
    const SourceFile* file = c.FindFile(page.file_id);
    if (file == nullptr) return R::Fail("the PDF could not be opened again");
    Status budget = pdf::CheckDeclaredImages(file->path, page.number_in_file - 1);
    if (!budget.ok()) return Error{budget.message()};
    const std::optional<pdf::PdfPage> pdf_page = open_document_->OpenPage(page.number_in_file - 1);
    if (!pdf_page) return R::Fail("the PDF page could not be opened again");

    const double dpi =
        pdf::RenderDpi(pdf_page->width_pt(), pdf_page->height_pt(), options_.text_layer_dpi);
    auto drawn = pdf_page->DrawGray(dpi, std::chrono::steady_clock::now() + options_.draw_time_limit);
    if (!drawn.ok()) return drawn.error();

    const double scale = dpi / 72.0;  // text boxes are in points
    const auto pixels = [scale](double left, double top, double width, double height) {
      return PixelRect{static_cast<int>(std::lround(left * scale)),
                       static_cast<int>(std::lround(top * scale)),
                       static_cast<int>(std::lround(width * scale)),
                       static_cast<int>(std::lround(height * scale))};
    };
    std::vector<TextLine> lines;
    for (const WordLine& line : GroupWords(pdf_page->Words())) {
      const PixelRect box =
          pixels(line.left, line.top, line.right - line.left, line.bottom - line.top);
      TextLine& added = lines.emplace_back(
          TextLine{box.left, box.top, box.width, box.height, line.vertical, line.text});
      for (const pdf::PdfWord& word : line.words)
        added.words.push_back({pixels(word.left, word.top, word.width, word.height), word.text});
    }
    // The text layer as it is in the file: My Numbers are masked here as in the page text.
    MaskMyNumbersInLines(page.text, lines);
    for (const ocr::PixelBox& box : RedactedBoxes(lines)) PaintBlack(*drawn, box);
    auto jpeg = ocr::EncodeGrayJpeg(drawn->pixels.data(), drawn->width, drawn->height,
                                    drawn->stride, drawn->dpi, options_.jpeg_quality);
    if (!jpeg.ok()) return Error{jpeg.message()};
    KeepDrawn(c, page, *jpeg, *drawn, dpi, lines);
    Rendered out;
    out.image = {pdf::ImageCodec::kJpeg, std::move(*jpeg), dpi};
    out.lines = ToPdfLines(lines);
    return out;
  }

  // The drawn page and its words, kept in the work area (`read/<page id>.jpg`) and given to the
  // page after its document is written, as OCR's image is (Page::read_image): for the review
  // screen (stages/page_evidence). Not keeping it only costs the review screen its picture.
  struct Drawn {
    std::string page_id;
    fs::path image;
    int width = 0;
    int height = 0;
    int dpi = 0;
    std::vector<TextLine> lines;
  };
  void KeepDrawn(const Case& c, const Page& page, const std::string& jpeg,
                 const ocr::GrayImage& image, double dpi, const std::vector<TextLine>& lines) {
    const fs::path dir = c.work_dir / "read";
    std::error_code ec;
    fs::create_directories(dir, ec);
    const fs::path path = dir / (page.id + ".jpg");
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(jpeg.data(), static_cast<std::streamsize>(jpeg.size()));
    if (!out) return;
    drawn_.push_back(
        {page.id, path, image.width, image.height, static_cast<int>(std::lround(dpi)), lines});
  }

  void GiveDrawnPages(Case& c) {
    for (Drawn& d : drawn_) {
      auto page = std::find_if(c.pages.begin(), c.pages.end(),
                               [&](const Page& p) { return p.id == d.page_id; });
      if (page == c.pages.end() || !page->read_image.empty()) continue;
      page->read_image = d.image;
      page->read_image_width = d.width;
      page->read_image_height = d.height;
      page->read_image_dpi = d.dpi;
      page->lines = std::move(d.lines);
    }
    drawn_.clear();
  }

  void CloseSource() {
    open_document_.reset();
    open_file_id_.clear();
  }

  WriteDocumentsOptions options_;
  // The source PDF of the pages being rendered (a document never spans files).
  std::string open_file_id_;
  std::optional<pdf::PdfDocument> open_document_;
  std::vector<Drawn> drawn_;
};

}  // namespace

std::unique_ptr<Stage> MakeWriteDocumentsStage(WriteDocumentsOptions options) {
  return std::make_unique<WriteDocumentsStage>(std::move(options));
}

}  // namespace intake::stages
