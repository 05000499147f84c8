#include "stages/ocr_stage.h"

#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include "pipeline/log.h"

namespace intake::stages {
namespace {

bool IsBlank(const std::string& text) {
  return text.find_first_not_of(" \t\r\n\f\v") == std::string::npos;
}

class OcrStage final : public Stage {
 public:
  OcrStage(ocr::OcrPool& pool, double threshold) : pool_(pool), threshold_(threshold) {}

  std::string_view name() const override { return "ocr"; }

  Status Run(Case& c) override {
    std::vector<std::size_t> page_indexes;
    std::vector<ocr::OcrImage> images;
    for (std::size_t i = 0; i < c.pages.size(); ++i) {
      const Page& page = c.pages[i];
      if (!page.needs_ocr) continue;
      page_indexes.push_back(i);
      images.push_back({page.image_path, page.image_frame});
    }
    if (images.empty()) return Status::Ok();

    const auto start = std::chrono::steady_clock::now();
    std::vector<Result<ocr::OcrPageResult>> results = pool_.RecognizeAll(images);
    if (results.size() != images.size()) {
      return Status::Fail("OCR returned " + std::to_string(results.size()) + " results for " +
                          std::to_string(images.size()) + " pages");
    }

    int unreadable = 0;
    int low = 0;
    for (std::size_t k = 0; k < results.size(); ++k) {
      Page& page = c.pages[page_indexes[k]];
      page.needs_ocr = false;
      const SourceFile* file = c.FindFile(page.file_id);
      const std::string where = "「" + (file ? file->relative_path : page.file_id) + "」の" +
                                std::to_string(page.number_in_file) + "ページ目";
      const auto& result = results[k];
      if (!result.ok()) {
        Log()->warn("ocr: {} ({}) unreadable: {}", page.id, page.file_id, result.message());
        c.AddFinding("CORRUPT_FILE",
                     where + "の画像を読み取れませんでした（破損している可能性があります）。",
                     page.file_id);
        ++unreadable;
        continue;
      }
      page.text = result->text;
      page.ocr_confidence = result->confidence;
      page.text_source = TextSource::kOcr;
      if (result->confidence < threshold_) {
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

    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    Log()->info("ocr: case {}: {} pages on {} workers, {} low confidence, {} unreadable, {} ms",
                c.id, images.size(), pool_.workers(), low, unreadable, ms);
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
