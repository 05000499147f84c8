#include "stages/ocr_stage.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "pipeline/log.h"
#include "stages/pdf_render.h"

namespace intake::stages {
namespace {

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

// The finding for a page OCR could not read, by why: a drawing that ran over the page time
// limit, memory that ran out, or (anything else) a file that may be damaged.
void ReportUnreadPage(Case& c, const Page& page, const std::string& where, ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kTimeLimit:
      c.AddFinding("OCR_TIME_LIMIT",
                   where +
                       "の描画（画像化）が制限時間内に終わらなかったため、文字を読み取れていませ"
                       "ん。目視で確認してください。",
                   page.file_id);
      return;
    case ErrorKind::kOutOfMemory:
      c.AddFinding("OUT_OF_MEMORY",
                   where +
                       "はメモリが足りず読み取れませんでした（ファイルの破損ではありません）。"
                       "他の処理が少ないときに再処理してください。",
                   page.file_id);
      return;
    default:
      c.AddFinding("CORRUPT_FILE",
                   where + "の画像を読み取れませんでした（破損している可能性があります）。",
                   page.file_id);
  }
}

// One finding for the page images that could not be kept for lack of space: the output folder's
// disk, not the patient's files.
void ReportDiskFull(Case& c, int pages) {
  c.AddFinding("OUTPUT_DISK_FULL",
               "出力先のディスクの空きがないため、読み取ったページの画像 " +
                   std::to_string(pages) +
                   " 件を保存できませんでした（ファイルの破損ではありません）。ディスクの空きを"
                   "作ってから再処理してください。");
}

// What OCR read, onto its page.
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
  page.lines.clear();
  page.lines.reserve(result.lines.size());
  for (const auto& line : result.lines) {
    page.lines.push_back({line.left, line.top, line.width, line.height, line.vertical, line.text});
  }
}

class OcrStage final : public Stage {
 public:
  OcrStage(ocr::OcrPool& pool, double threshold) : pool_(pool), threshold_(threshold) {}

  std::string_view name() const override { return "ocr"; }

  Status Run(Case& c) override {
    std::vector<std::size_t> page_indexes;
    std::vector<ocr::OcrImage> images;
    const std::filesystem::path read_dir = c.work_dir / "read";
    for (std::size_t i = 0; i < c.pages.size(); ++i) {
      const Page& page = c.pages[i];
      if (!page.needs_ocr) continue;
      page_indexes.push_back(i);
      ocr::OcrImage image{.path = page.image_path,
                          .frame = page.image_frame,
                          .keep_as = read_dir / page.id,
                          .file_id = page.file_id};
      if (page.pdf_render_dpi > 0) {
        // A PDF page without a text layer: taken or drawn by the worker that reads it.
        const SourceFile* file = c.FindFile(page.file_id);
        if (file != nullptr) {
          image.render = [pdf = file->path, index = page.number_in_file - 1,
                          dpi = page.pdf_render_dpi](DrawDeadline deadline) {
            return PdfPageForOcr(pdf, index, dpi, deadline);
          };
        }
      }
      images.push_back(std::move(image));
    }
    if (images.empty()) return Status::Ok();
    std::error_code ec;
    std::filesystem::create_directories(read_dir, ec);
    if (ec) return Status::Fail("could not create the folder for page images: " + ec.message());

    const auto start = std::chrono::steady_clock::now();
    std::vector<Result<ocr::OcrPageResult>> results = pool_.RecognizeAll(images);
    if (results.size() != images.size()) {
      return Status::Fail("OCR returned " + std::to_string(results.size()) + " results for " +
                          std::to_string(images.size()) + " pages");
    }

    int unreadable = 0;
    int damaged = 0;
    int low = 0;
    int time_limited = 0;
    int vertical = 0;
    int disk_full = 0;
    ocr::OcrPageTimings sum;
    for (std::size_t k = 0; k < results.size(); ++k) {
      Page& page = c.pages[page_indexes[k]];
      page.needs_ocr = false;
      const SourceFile* file = c.FindFile(page.file_id);
      const std::string where = "「" + (file ? file->relative_path : page.file_id) + "」の" +
                                std::to_string(page.number_in_file) + "ページ目";
      const auto& result = results[k];
      if (!result.ok()) {
        Log()->warn("ocr: {} ({}) unreadable: {}", page.id, page.file_id, result.message());
        if (result.error().kind == ErrorKind::kDiskFull) {
          ++disk_full;  // the output's fault, not the file's: one finding below
        } else {
          ReportUnreadPage(c, page, where, result.error().kind);
        }
        time_limited += result.error().kind == ErrorKind::kTimeLimit ? 1 : 0;
        ++unreadable;
        continue;
      }
      TakeReading(page, *result);
      vertical += result->vertical ? 1 : 0;
      Add(sum, result->timings);
      if (result->image_damaged) {
        ++damaged;
        Log()->warn("ocr: {} ({}) image data damaged; read as far as it goes", page.id,
                    page.file_id);
        c.AddFinding("CORRUPT_FILE",
                     where +
                         "の画像データが壊れています（読めた部分だけを読み取りました）。元の"
                         "ファイルを確認してください。",
                     page.file_id);
      }
      if (result->time_limited) {
        ++time_limited;
        Log()->warn("ocr: {} ({}) not read in full: page time limit reached", page.id,
                    page.file_id);
        c.AddFinding("OCR_TIME_LIMIT",
                     where + "の文字認識が制限時間内に終わらなかったため、" +
                         (IsBlank(page.text) ? std::string("文字を読み取れていません。")
                                             : std::string("途中までしか読み取れていません。")) +
                         "目視で確認してください。",
                     page.file_id);
      } else if (result->confidence < threshold_) {
        ++low;
        const std::string percent = std::to_string(std::lround(result->confidence * 100));
        c.AddFinding("LOW_OCR_CONFIDENCE",
                     IsBlank(page.text) ? where +
                                              "から文字を読み取れませんでした（白紙、または画像が不"
                                              "鮮明な可能性があります）。目視で確認してください。"
                                        : where + "の文字認識の確度が低いため（" + percent +
                                              "%）、目視で確認してください。",
                     page.file_id);
      }
    }

    if (disk_full > 0) ReportDiskFull(c, disk_full);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    Log()->info(
        "ocr: case {}: {} pages on {} workers, {} vertical, {} low confidence, {} over the time "
        "limit, {} unreadable, {} damaged, {} ms",
        c.id, images.size(), pool_.workers(), vertical, low, time_limited, unreadable, damaged, ms);
    const double n = static_cast<double>(std::max<std::size_t>(1, results.size() - unreadable));
    Log()->debug(
        "ocr: case {}: mean per page: decode {:.0f}, deskew {:.0f}, orientation {:.0f}, "
        "recognize {:.0f}, again turned {:.0f}, vertical {:.0f}, keep {:.0f} ms",
        c.id, sum.decode_ms / n, sum.deskew_ms / n, sum.orient_ms / n, sum.recognize_ms / n,
        sum.reread_ms / n, sum.vertical_ms / n, sum.keep_ms / n);
    return Status::Ok();
  }

 private:
  ocr::OcrPool& pool_;
  double threshold_;
};

}  // namespace

std::unique_ptr<Stage> MakeOcrStage(ocr::OcrPool& pool, double low_confidence_threshold) {
  return std::make_unique<OcrStage>(pool, low_confidence_threshold);
}

}  // namespace intake::stages
