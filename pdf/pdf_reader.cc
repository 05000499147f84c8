#include "pdf/pdf_reader.h"

#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

#include "pdf/poppler_internal.h"

namespace intake::pdf {
namespace {

std::string ToUtf8(const poppler::ustring& text) {
  const poppler::byte_array bytes = text.to_utf8();
  return {bytes.begin(), bytes.end()};
}

}  // namespace

struct PdfPage::Impl {
  std::unique_ptr<poppler::page> page;
  std::filesystem::path file;  // drawn through the core API (pdf_render.h), which can stop
  int index = 0;
};

PdfPage::PdfPage(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PdfPage::PdfPage(PdfPage&&) noexcept = default;
PdfPage& PdfPage::operator=(PdfPage&&) noexcept = default;
PdfPage::~PdfPage() = default;

std::string PdfPage::Text() const { return ToUtf8(impl_->page->text()); }

std::vector<PdfWord> PdfPage::Words() const {
  std::vector<PdfWord> words;
  for (const poppler::text_box& box : impl_->page->text_list()) {
    const poppler::rectf b = box.bbox();
    PdfWord word;
    word.text = ToUtf8(box.text());
    word.left = b.left();
    word.top = b.top();
    word.width = b.width();
    word.height = b.height();
    word.vertical = box.rotation() == 1 || box.rotation() == 3;
    word.space_after = box.has_space_after();
    words.push_back(std::move(word));
  }
  return words;
}

double PdfPage::width_pt() const { return impl_->page->page_rect().width(); }
double PdfPage::height_pt() const { return impl_->page->page_rect().height(); }

Result<ocr::GrayImage> PdfPage::DrawGray(double dpi, DrawDeadline deadline) const {
  return RenderPdfPage(impl_->file, impl_->index, dpi, deadline);
}

struct PdfDocument::Impl {
  std::unique_ptr<poppler::document> document;
  std::filesystem::path file;
  State state = State::kUnreadable;
};

PdfDocument::PdfDocument(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PdfDocument::PdfDocument(PdfDocument&&) noexcept = default;
PdfDocument& PdfDocument::operator=(PdfDocument&&) noexcept = default;
PdfDocument::~PdfDocument() = default;

PdfDocument PdfDocument::Open(const std::filesystem::path& pdf) {
  QuietPoppler();
  auto impl = std::make_unique<Impl>();
  impl->file = pdf;
  impl->document.reset(poppler::document::load_from_file(pdf.string()));
  // A locked document has no catalog: ask is_locked() before anything else.
  if (!impl->document) {
    impl->state = State::kUnreadable;
  } else if (impl->document->is_locked()) {
    impl->state = State::kPasswordProtected;
  } else {
    impl->state = State::kOpen;
  }
  return PdfDocument(std::move(impl));
}

PdfDocument::State PdfDocument::state() const { return impl_->state; }

int PdfDocument::page_count() const { return ok() ? impl_->document->pages() : 0; }

std::optional<PdfPage> PdfDocument::OpenPage(int index) const {
  if (!ok()) return std::nullopt;
  auto impl = std::make_unique<PdfPage::Impl>();
  impl->page.reset(impl_->document->create_page(index));
  if (!impl->page) return std::nullopt;
  impl->file = impl_->file;
  impl->index = index;
  return PdfPage(std::move(impl));
}

}  // namespace intake::pdf
