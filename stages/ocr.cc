#include "stages/ocr.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "pdf/pdf_render.h"
#include "pipeline/log.h"

namespace intake::stages {
namespace {

using pdf::PdfPageForOcr;

void Add(ocr::OcrPageTimings& sum, const ocr::OcrPageTimings& t) {
  sum.decode_ms += t.decode_ms;
  sum.orient_ms += t.orient_ms;
  sum.deskew_ms += t.deskew_ms;
  sum.keep_ms += t.keep_ms;
  sum.recognize_ms += t.recognize_ms;
  sum.reread_ms += t.reread_ms;
  sum.vertical_ms += t.vertical_ms;
}

bool IsBlank(const std::string& text) {
  return text.find_first_not_of(" \t\r\n\f\v") == std::string::npos;
}

// The lines OCR read, with their words, as the case keeps them.
std::vector<TextLine> LinesOf(const std::vector<ocr::OcrLine>& read) {
  std::vector<TextLine> lines;
  lines.reserve(read.size());
  for (const auto& line : read) {
    TextLine& kept = lines.emplace_back(
        TextLine{line.left, line.top, line.width, line.height, line.vertical, line.text});
    for (const auto& w : line.words)
      kept.words.push_back({{w.left, w.top, w.width, w.height}, w.text});
  }
  return lines;
}

// The pages to OCR: their indexes in Case::pages and the images the pool reads (a PDF page
// without a text layer is taken or drawn by the worker that reads it).
struct PagesToRead {
  std::vector<std::size_t> indexes;
  std::vector<ocr::OcrImage> images;
};
PagesToRead PagesNeedingOcr(const Case& c, const std::filesystem::path& read_dir) {
  PagesToRead out;
  for (std::size_t i = 0; i < c.pages.size(); ++i) {
    const Page& page = c.pages[i];
    if (!page.needs_ocr) continue;
    out.indexes.push_back(i);
    ocr::OcrImage image{.path = page.image_path,
                        .frame = page.image_frame,
                        .keep_as = read_dir / page.id,
                        .file_id = page.file_id};
    if (page.pdf_render_dpi > 0) {
      const SourceFile* file = c.FindFile(page.file_id);
      if (file != nullptr) {
        image.render = [pdf = file->path, index = page.number_in_file - 1,
                        dpi = page.pdf_render_dpi](pdf::DrawDeadline deadline) {
          return PdfPageForOcr(pdf, index, dpi, deadline);
        };
      }
    }
    out.images.push_back(std::move(image));
  }
  return out;
}

// What OCR read of a page goes into the model: text, confidence, the kept image, the lines.
void TakeReading(Page& page, const ocr::OcrPageResult& result) {
  page.text = result.text;
  page.ocr_confidence = result.confidence;
  page.text_source = TextSource::kOcr;
  page.read_image = result.kept_image;
  page.read_image_width = result.image_width;
  page.read_image_height = result.image_height;
  page.read_image_dpi = result.image_dpi;
  page.rotation_degrees = result.rotation_degrees;
  page.vertical_text = result.vertical;
  page.lines = LinesOf(result.lines);
}

// The finding for a page OCR could not read, by why: a drawing that ran over the page time
// limit, memory that ran out, or (anything else) a file that may be damaged.
void ReportUnreadPage(Case& c, const Page& page, const std::string& where, ErrorCode code) {
  switch (code) {
    case ErrorCode::kTimeLimit:
      c.AddFinding(FindingCode::kOcrTimeLimit,
                   where +
                       "の描画（画像化）が制限時間内に終わらなかったため、文字を読み取れていませ"
                       "ん。目視で確認してください。",
                   page.file_id);
      return;
    case ErrorCode::kOutOfMemory:
      c.AddFinding(FindingCode::kOutOfMemory,
                   where +
                       "はメモリが足りず読み取れませんでした（ファイルの破損ではありません）。"
                       "他の処理が少ないときに再処理してください。",
                   page.file_id);
      return;
    default:
      c.AddFinding(FindingCode::kCorruptFile,
                   where + "の画像を読み取れませんでした（破損している可能性があります）。",
                   page.file_id);
  }
}

// One finding for the page images that could not be kept for lack of space: the output folder's
// disk, not the patient's files.
void ReportDiskFull(Case& c, int pages) {
  c.AddFinding(FindingCode::kOutputDiskFull,
               "出力先のディスクの空きがないため、読み取ったページの画像 " +
                   std::to_string(pages) +
                   " 件を保存できませんでした（ファイルの破損ではありません）。ディスクの空きを"
                   "作ってから再処理してください。");
}

// The counts the stage logs for the case (no patient data).
struct OcrCounts {
  int unreadable = 0;
  int disk_full = 0;
  int damaged = 0;
  int low = 0;
  int time_limited = 0;
  int vertical = 0;
  ocr::OcrPageTimings sum;
};

class OcrStage final : public Stage {
 public:
  OcrStage(ocr::OcrPool& pool, double threshold) : pool_(pool), threshold_(threshold) {}

  std::string_view name() const override { return "ocr"; }

  Status Run(Case& c) override {
    const std::filesystem::path read_dir = c.work_dir / "read";
    const PagesToRead pages = PagesNeedingOcr(c, read_dir);
    if (pages.images.empty()) return Status::Ok();
    std::error_code ec;
    std::filesystem::create_directories(read_dir, ec);
    if (ec) return Status::Fail("could not create the folder for page images: " + ec.message());

    const auto start = std::chrono::steady_clock::now();
    std::vector<Result<ocr::OcrPageResult>> results = pool_.RecognizeAll(pages.images);
    if (results.size() != pages.images.size()) {
      return Status::Fail("OCR returned " + std::to_string(results.size()) + " results for " +
                          std::to_string(pages.images.size()) + " pages");
    }
    OcrCounts counts;
    for (std::size_t k = 0; k < results.size(); ++k) {
      TakeResult(c, c.pages[pages.indexes[k]], results[k], counts);
    }
    if (counts.disk_full > 0) ReportDiskFull(c, counts.disk_full);
    LogSummary(c, results.size(), counts,
               std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - start)
                   .count());
    return Status::Ok();
  }

 private:
  // One page's result into the model, with the findings it calls for.
  void TakeResult(Case& c, Page& page, const Result<ocr::OcrPageResult>& result,
                  OcrCounts& counts) const {
    page.needs_ocr = false;
    const SourceFile* file = c.FindFile(page.file_id);
    const std::string where = "「" + (file ? file->relative_path : page.file_id) + "」の" +
                              std::to_string(page.number_in_file) + "ページ目";
    if (!result.ok()) {
      Log()->warn("ocr: {} ({}) unreadable: {}", page.id, page.file_id, result.message());
      if (result.error().code == ErrorCode::kDiskFull) {
        ++counts.disk_full;  // the output's fault, not the file's: one finding for the case
      } else {
        ReportUnreadPage(c, page, where, result.error().code);
      }
      counts.time_limited += result.error().code == ErrorCode::kTimeLimit ? 1 : 0;
      ++counts.unreadable;
      return;
    }
    TakeReading(page, *result);
    counts.vertical += result->vertical ? 1 : 0;
    Add(counts.sum, result->timings);
    if (result->image_damaged) {
      ++counts.damaged;
      Log()->warn("ocr: {} ({}) image data damaged; read as far as it goes", page.id, page.file_id);
      c.AddFinding(FindingCode::kCorruptFile,
                   where +
                       "の画像データが壊れています（読めた部分だけを読み取りました）。元の"
                       "ファイルを確認してください。",
                   page.file_id);
    }
    AddReadingFinding(c, page, *result, where, counts);
  }

  // OCR_TIME_LIMIT for a page not read in full, or LOW_OCR_CONFIDENCE below the threshold.
  void AddReadingFinding(Case& c, const Page& page, const ocr::OcrPageResult& result,
                         const std::string& where, OcrCounts& counts) const {
    if (result.time_limited) {
      ++counts.time_limited;
      Log()->warn("ocr: {} ({}) not read in full: page time limit reached", page.id, page.file_id);
      c.AddFinding(FindingCode::kOcrTimeLimit,
                   where + "の文字認識が制限時間内に終わらなかったため、" +
                       (IsBlank(page.text) ? std::string("文字を読み取れていません。")
                                           : std::string("途中までしか読み取れていません。")) +
                       "目視で確認してください。",
                   page.file_id);
    } else if (result.confidence < threshold_) {
      ++counts.low;
      const std::string percent = std::to_string(std::lround(result.confidence * 100));
      c.AddFinding(FindingCode::kLowOcrConfidence,
                   IsBlank(page.text) ? where +
                                            "から文字を読み取れませんでした（白紙、または画像が不"
                                            "鮮明な可能性があります）。目視で確認してください。"
                                      : where + "の文字認識の確度が低いため（" + percent +
                                            "%）、目視で確認してください。",
                   page.file_id);
    }
  }

  void LogSummary(const Case& c, std::size_t pages, const OcrCounts& counts,
                  std::int64_t ms) const {
    Log()->info(
        "ocr: case {}: {} pages on {} workers, {} vertical, {} low confidence, {} over the time "
        "limit, {} unreadable, {} damaged, {} ms",
        c.id, pages, pool_.workers(), counts.vertical, counts.low, counts.time_limited,
        counts.unreadable, counts.damaged, ms);
    const double n = static_cast<double>(
        std::max<std::size_t>(1, pages - static_cast<std::size_t>(counts.unreadable)));
    const ocr::OcrPageTimings& sum = counts.sum;
    Log()->debug(
        "ocr: case {}: mean per page: decode {:.0f}, deskew {:.0f}, orientation {:.0f}, "
        "recognize {:.0f}, again turned {:.0f}, vertical {:.0f}, keep {:.0f} ms",
        c.id, sum.decode_ms / n, sum.deskew_ms / n, sum.orient_ms / n, sum.recognize_ms / n,
        sum.reread_ms / n, sum.vertical_ms / n, sum.keep_ms / n);
  }

  ocr::OcrPool& pool_;
  double threshold_;
};

}  // namespace

std::unique_ptr<Stage> MakeOcrStage(ocr::OcrPool& pool, double low_confidence_threshold) {
  return std::make_unique<OcrStage>(pool, low_confidence_threshold);
}

}  // namespace intake::stages
