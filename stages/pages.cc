#include "stages/pages.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "ocr/page_image.h"
#include "pdf/pdf_reader.h"
#include "pdf/pdf_render.h"
#include "pipeline/fault_points.h"
#include "pipeline/log.h"
#include "pipeline/progress.h"

namespace intake::stages {
namespace {

// Whether a file's name says it is a document or image we would read (.pdf, .tif, .jpg, .dcm …).
bool NamedAsDocument(const std::string& relative_path) {
  static const std::array<std::string_view, 16> kExtensions{
      ".pdf", ".tif", ".tiff", ".jpg", ".jpeg", ".png", ".bmp", ".gif", ".heic", ".heif",
      ".webp", ".jp2", ".dcm", ".zip", ".7z", ".iso"};
  std::string lower = std::filesystem::path(relative_path).extension().string();
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return std::find(kExtensions.begin(), kExtensions.end(), lower) != kExtensions.end();
}

namespace fs = std::filesystem;

// A text layer with more than this share of garbled characters is not used.
constexpr double kMaxGarbledShare = 0.2;

struct TextLayerCounts {
  int characters = 0;  // code points that are not white space
  int garbled = 0;     // of which U+FFFD, private use or control characters
};

// A text layer whose fonts lack a usable Unicode map comes out as replacement, private-use or
// control characters (or nothing): such pages are read with OCR instead.
TextLayerCounts CountTextLayer(const std::string& utf8) {
  TextLayerCounts counts;
  for (std::size_t i = 0; i < utf8.size();) {
    const auto b = static_cast<unsigned char>(utf8[i]);
    const int length = b < 0x80           ? 1
                       : (b >> 5) == 0x6  ? 2
                       : (b >> 4) == 0xE  ? 3
                       : (b >> 3) == 0x1E ? 4
                                          : 1;
    std::uint32_t cp = length == 1 ? b : b & (0x3F >> (length - 1));
    for (int k = 1; k < length && i + k < utf8.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    }
    i += length;
    const bool space = cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0xA0 || cp == 0x3000;
    if (space) continue;
    ++counts.characters;
    const bool garbled = cp == 0xFFFD || cp < 0x20 || (cp >= 0x7F && cp < 0xA0) ||
                         (cp >= 0xE000 && cp <= 0xF8FF) || cp >= 0xF0000;
    if (garbled) ++counts.garbled;
  }
  return counts;
}

// An image whose longer side is shorter than this cannot hold a readable document page (an A5
// page at 100 dpi is 827 px high): it is a thumbnail or an icon, such as the previews viewer
// software puts on CT/MRI discs.
constexpr int kMinPageImageSide = 600;

struct Counts {
  int pages = 0;
  int too_small = 0;
  int text_layer = 0;
  int rendered = 0;
  int images = 0;
  int unreadable_files = 0;
  int over_budget = 0;  // pages past PagesOptions::max_pages, not read
  std::vector<std::string> unsupported;  // images in formats no reader here knows
};

class PagesStage final : public Stage {
 public:
  explicit PagesStage(PagesOptions options) : options_(options) {}

  std::string_view name() const override { return "pages"; }

  Status Run(Case& c) override {
    const auto start = std::chrono::steady_clock::now();
    Counts counts;
    for (std::size_t i = 0; i < c.files.size(); ++i) {
      const SourceFile& file = c.files[i];
      ReportFile(file.id);
      HangPoint("pages");
      Status status;
      switch (file.kind) {
        case FileKind::kPdf:
          status = AddPdfPages(c, file, counts);
          break;
        case FileKind::kTiff:
          AddTiffPages(c, file, counts);
          break;
        case FileKind::kJpeg:
        case FileKind::kPng:
        case FileKind::kBmp:
        case FileKind::kGif:
        case FileKind::kHeif:
        case FileKind::kWebp:
        case FileKind::kJpeg2000:
        case FileKind::kPnm:
          if (IsTooSmallForAPage(file)) {
            ++counts.too_small;
            break;
          }
          if (!WithinBudget(counts)) break;
          AddImagePage(c, file, 0, 1);
          ++counts.images;
          ++counts.pages;
          break;
        case FileKind::kEmpty:
          // An empty document or image (a failed scan or upload) is a finding; an empty file of
          // anything else (a disc's placeholder, a viewer stub) is not worth one.
          if (!NamedAsDocument(file.relative_path)) break;
          c.AddFinding(FindingCode::kCorruptFile,
                       "ファイル「" + file.relative_path + "」は空（0バイト）です。", file.id);
          ++counts.unreadable_files;
          break;
        default:
          // An image in a format no reader here knows (Photoshop, icons ...): named below.
          if (file.mime.starts_with("image/")) counts.unsupported.push_back(file.relative_path);
          break;
      }
      if (!status.ok()) return status;
    }
    ReportUnsupported(c, counts.unsupported);
    ReportOverBudget(c, counts);
    if (counts.too_small > 0) {
      c.AddFinding(FindingCode::kUnsupportedFile,
                   "書類としては小さすぎる画像（サムネイル・アイコン等） " +
                       std::to_string(counts.too_small) + " 件は書類として読み取りませんでした");
    }
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    Log()->info(
        "pages: case {}: {} pages ({} PDF text layer, {} PDF without text for OCR, {} images), {} "
        "too "
        "small, "
        "{} unreadable files, {} ms",
        c.id, counts.pages, counts.text_layer, counts.rendered, counts.images, counts.too_small,
        counts.unreadable_files, ms);
    return Status::Ok();
  }

 private:
  // One finding for the images in formats no reader here knows, naming them (the first five): not
  // one per file, since a disc's viewer software brings dozens of icons.
  static void ReportUnsupported(Case& c, const std::vector<std::string>& names) {
    if (names.empty()) return;
    std::string shown;
    for (std::size_t k = 0; k < names.size() && k < 5; ++k) shown += "「" + names[k] + "」";
    if (names.size() > 5) shown += " ほか " + std::to_string(names.size() - 5) + " 件";
    c.AddFinding(
        FindingCode::kUnsupportedFile,
        "読み取れない形式の画像 " + std::to_string(names.size()) +
            " 件は書類として読んでいません（JPEG・PDFでの再送を依頼してください）: " + shown);
  }

  // Whether another page may be read; counts it as over the budget when not.
  bool WithinBudget(Counts& counts) const {
    if (counts.pages < options_.max_pages) return true;
    ++counts.over_budget;
    return false;
  }

  // One finding for all the pages past the budget.
  void ReportOverBudget(Case& c, const Counts& counts) const {
    if (counts.over_budget == 0) return;
    c.AddFinding(FindingCode::kPageLimitExceeded,
                 "ページ数が上限（" + std::to_string(options_.max_pages) +
                     " ページ）を超えたため、残りの " + std::to_string(counts.over_budget) +
                     " ページは読み取っていません（書類の選別・分割を依頼してください）。");
  }

  // Unreadable headers are not "too small": the OCR stage reports those files as corrupt.
  static bool IsTooSmallForAPage(const SourceFile& file) {
    auto header = ocr::ReadImageHeader(file.path);
    return header.ok() && std::max(header->width, header->height) < kMinPageImageSide;
  }

  static void AddImagePage(Case& c, const SourceFile& file, int frame, int number) {
    Page page;
    page.id = c.NextPageId();
    page.file_id = file.id;
    page.number_in_file = number;
    page.image_path = file.path;
    page.image_frame = frame;
    page.needs_ocr = true;
    c.pages.push_back(std::move(page));
  }

  // One page per frame big enough to be one (a TIFF of 20,000 one-pixel frames is not 20,000
  // pages: those count as too small, as small image files do).
  void AddTiffPages(Case& c, const SourceFile& file, Counts& counts) const {
    auto frames = ocr::TiffFrameLongSides(file.path);
    if (!frames.ok()) {
      Log()->warn("pages: {} TIFF unreadable: {}", file.id, frames.message());
      c.AddFinding(FindingCode::kCorruptFile,
                   "TIFFファイル「" + file.relative_path +
                       "」を読み取れませんでした（破損している可能性があります）。",
                   file.id);
      ++counts.unreadable_files;
      return;
    }
    const int count = static_cast<int>(frames->size());
    for (int frame = 0; frame < count; ++frame) {
      if ((*frames)[frame] < kMinPageImageSide) {
        ++counts.too_small;
        continue;
      }
      if (!WithinBudget(counts)) continue;
      AddImagePage(c, file, frame, frame + 1);
      ++counts.images;
      ++counts.pages;
    }
    Log()->debug("pages: {} TIFF {} frames", file.id, count);
  }

  // Fails only when the work area cannot be written (the whole case cannot go on then).
  Status AddPdfPages(Case& c, const SourceFile& file, Counts& counts) const {
    const pdf::PdfDocument doc = pdf::PdfDocument::Open(file.path);
    if (doc.state() == pdf::PdfDocument::State::kPasswordProtected) {
      Log()->warn("pages: {} PDF is password protected", file.id);
      c.AddFinding(FindingCode::kCorruptFile,
                   "PDFファイル「" + file.relative_path +
                       "」はパスワードで保護されているため読み取れません。パスワードなしのファイル"
                       "を依頼してください。",
                   file.id);
      ++counts.unreadable_files;
      return Status::Ok();
    }
    if (doc.page_count() <= 0) {
      Log()->warn("pages: {} PDF could not be opened ({} bytes)", file.id, file.size);
      c.AddFinding(FindingCode::kCorruptFile,
                   "PDFファイル「" + file.relative_path +
                       "」を開けませんでした（破損している可能性があります）。",
                   file.id);
      ++counts.unreadable_files;
      return Status::Ok();
    }

    const auto start = std::chrono::steady_clock::now();
    const int page_count = doc.page_count();
    int text_pages = 0;
    int rendered = 0;
    for (int index = 0; index < page_count; ++index) {
      if (counts.pages + text_pages + rendered >= options_.max_pages) {
        counts.over_budget += page_count - index;  // not even opened
        break;
      }
      const std::optional<pdf::PdfPage> pdf_page = doc.OpenPage(index);
      const int number = index + 1;
      if (!pdf_page) {
        c.AddFinding(FindingCode::kCorruptFile,
                     "PDFファイル「" + file.relative_path + "」の" + std::to_string(number) +
                         "ページ目を読み取れませんでした。",
                     file.id);
        continue;
      }
      Page page;
      page.id = c.NextPageId();
      page.file_id = file.id;
      page.number_in_file = number;

      std::string text = pdf_page->Text();
      const TextLayerCounts layer = CountTextLayer(text);
      const bool usable = layer.characters >= options_.min_text_layer_chars &&
                          layer.garbled <= layer.characters * kMaxGarbledShare;
      if (usable) {
        page.text = std::move(text);
        page.text_source = TextSource::kPdfTextLayer;
        ++text_pages;
      } else {
        page.pdf_render_dpi =
            pdf::RenderDpi(pdf_page->width_pt(), pdf_page->height_pt(), options_.render_dpi);
        page.needs_ocr = true;
        ++rendered;
      }
      c.pages.push_back(std::move(page));
    }
    counts.pages += text_pages + rendered;
    counts.text_layer += text_pages;
    counts.rendered += rendered;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    Log()->debug("pages: {} PDF {} pages, {} text layer, {} without text for OCR, {} ms", file.id,
                 page_count, text_pages, rendered, ms);
    return Status::Ok();
  }

  PagesOptions options_;
};

}  // namespace

std::unique_ptr<Stage> MakePagesStage(PagesOptions options) {
  return std::make_unique<PagesStage>(options);
}

}  // namespace intake::stages
