#include "stages/write_documents.h"

#include <poppler-document.h>
#include <poppler-page.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "ocr/page_image.h"
#include "pdf/searchable_pdf.h"
#include "pipeline/log.h"
#include "stages/pdf_render.h"
#include "stages/screen.h"

namespace intake::stages {
namespace {

namespace fs = std::filesystem;

double Milliseconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since)
      .count();
}

std::string ToUtf8(const poppler::ustring& text) {
  const poppler::byte_array bytes = text.to_utf8();
  return {bytes.begin(), bytes.end()};
}

// Poppler's words, in reading order, joined into lines: consecutive words of the same direction
// whose boxes overlap across the line direction. Boxes in points, from the top-left corner.
struct WordLine {
  poppler::rectf box;
  bool vertical = false;
  std::string text;
};

std::vector<WordLine> GroupWords(const std::vector<poppler::text_box>& words) {
  std::vector<WordLine> lines;
  bool space_pending = false;
  for (const auto& word : words) {
    const poppler::rectf b = word.bbox();
    const bool vertical = word.rotation() == 1 || word.rotation() == 3;
    const std::string text = ToUtf8(word.text());
    if (text.empty() || b.width() <= 0 || b.height() <= 0) continue;
    WordLine* last = lines.empty() ? nullptr : &lines.back();
    bool same_line = false;
    if (last != nullptr && last->vertical == vertical) {
      // Overlap across the line direction, against the smaller extent.
      const double overlap =
          vertical ? std::min(b.right(), last->box.right()) - std::max(b.left(), last->box.left())
                   : std::min(b.bottom(), last->box.bottom()) - std::max(b.top(), last->box.top());
      const double extent = vertical ? std::min(b.width(), last->box.width())
                                     : std::min(b.height(), last->box.height());
      const bool forward = vertical ? b.top() >= last->box.top() : b.left() >= last->box.left();
      same_line = forward && overlap >= 0.5 * extent;
    }
    if (same_line) {
      const double left = std::min(last->box.left(), b.left());
      const double top = std::min(last->box.top(), b.top());
      const double right = std::max(last->box.right(), b.right());
      const double bottom = std::max(last->box.bottom(), b.bottom());
      last->box = poppler::rectf(left, top, right - left, bottom - top);
      if (space_pending) last->text += ' ';
      last->text += text;
    } else {
      lines.push_back({b, vertical, text});
    }
    space_pending = word.has_space_after();
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
    QuietPoppler();
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
    Log()->info("write_documents: case {}: {} PDFs, {} pages, {} pages left out, {:.0f} ms", c.id,
                written, pages, left_out, Milliseconds(start));
    return Status::Ok();
  }

 private:
  struct Outcome {
    int written = 0;
    int left_out = 0;
  };

  // Renders a text-layer page with Poppler and takes its words for the invisible text.
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
      if (file != nullptr) {
        open_document_.reset(poppler::document::load_from_file(file->path.string()));
      }
      if (open_document_ && open_document_->is_locked()) open_document_.reset();
    }
    if (!open_document_) return R::Fail("the PDF could not be opened again");
    const SourceFile* file = c.FindFile(page.file_id);
    if (file == nullptr) return R::Fail("the PDF could not be opened again");
    Status budget = CheckDeclaredImages(file->path, page.number_in_file - 1);
    if (!budget.ok()) return Error{budget.message()};
    std::unique_ptr<poppler::page> pdf_page(open_document_->create_page(page.number_in_file - 1));
    if (!pdf_page) return R::Fail("the PDF page could not be opened again");

    const poppler::rectf rect = pdf_page->page_rect();
    const double dpi = RenderDpi(rect.width(), rect.height(), options_.text_layer_dpi);
    auto drawn = RenderPdfPage(file->path, page.number_in_file - 1, dpi,
                               std::chrono::steady_clock::now() + options_.draw_time_limit);
    if (!drawn.ok()) return drawn.error();

    const double scale = dpi / 72.0;  // text boxes are in points
    std::vector<TextLine> lines;
    for (const WordLine& line : GroupWords(pdf_page->text_list())) {
      lines.push_back({static_cast<int>(std::lround(line.box.left() * scale)),
                       static_cast<int>(std::lround(line.box.top() * scale)),
                       static_cast<int>(std::lround(line.box.width() * scale)),
                       static_cast<int>(std::lround(line.box.height() * scale)), line.vertical,
                       line.text});
    }
    // The text layer as it is in the file: My Numbers are masked here as in the page text.
    MaskMyNumbersInLines(page.text, lines);
    for (const ocr::PixelBox& box : RedactedBoxes(lines)) PaintBlack(*drawn, box);
    auto jpeg = ocr::EncodeGrayJpeg(drawn->pixels.data(), drawn->width, drawn->height,
                                    drawn->stride, drawn->dpi, options_.jpeg_quality);
    if (!jpeg.ok()) return Error{jpeg.message()};
    Rendered out;
    out.image = {pdf::ImageCodec::kJpeg, std::move(*jpeg), dpi};
    out.lines = ToPdfLines(lines);
    return out;
  }

  void CloseSource() {
    open_document_.reset();
    open_file_id_.clear();
  }

  WriteDocumentsOptions options_;
  // The source PDF of the pages being rendered (a document never spans files).
  std::string open_file_id_;
  std::unique_ptr<poppler::document> open_document_;
};

}  // namespace

std::unique_ptr<Stage> MakeWriteDocumentsStage(WriteDocumentsOptions options) {
  return std::make_unique<WriteDocumentsStage>(std::move(options));
}

}  // namespace intake::stages
