#include "ocr/ocr_pool.h"

#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <new>
#include <sstream>
#include <system_error>
#include <thread>
#include <utility>

#include "ocr/openmp_env.h"
#include "ocr/page_image.h"
#include "ocr/preprocess.h"
#include "pipeline/hash.h"
#include "pipeline/log.h"
#include "pipeline/progress.h"

namespace intake::ocr {
namespace {

constexpr int kMaxWorkers = 64;

// Tesseract keeps a reference to the image until Clear(); release it however the page ends.
class ClearOnExit {
 public:
  explicit ClearOnExit(tesseract::TessBaseAPI& api) : api_(api) {}
  ~ClearOnExit() { api_.Clear(); }
  ClearOnExit(const ClearOnExit&) = delete;
  ClearOnExit& operator=(const ClearOnExit&) = delete;

 private:
  tesseract::TessBaseAPI& api_;
};

// 1-bit and plain 8-bit grey go to Tesseract as they are; everything else becomes 8-bit grey,
// with transparency flattened onto white first.
PixPtr ToOcrDepth(PixPtr pix) {
  const l_int32 depth = pixGetDepth(pix.get());
  if ((depth == 1 || depth == 8) && pixGetColormap(pix.get()) == nullptr) return pix;
  if (depth == 32 && pixGetSpp(pix.get()) == 4) {
    PixPtr flat(pixRemoveAlpha(pix.get()));
    if (!flat) return nullptr;
    pix = std::move(flat);
  }
  return PixPtr(pixConvertTo8(pix.get(), 0));
}

// One worker's engines: `reader` reads pages; `osd` (null when preprocessing is off or the OSD
// data is missing) finds their orientation.
struct WorkerEngines {
  std::unique_ptr<tesseract::TessBaseAPI> reader;
  std::unique_ptr<tesseract::TessBaseAPI> osd;
  bool preprocess = true;
};

Result<OcrPageResult> RecognizeOne(WorkerEngines& engines, const OcrImage& image) {
  tesseract::TessBaseAPI& api = *engines.reader;
  auto header = ReadImageHeader(image.path, image.frame);
  if (!header.ok()) return Error{header.message()};
  if (Status size = CheckImageSize(header->width, header->height); !size.ok()) {
    return Error{size.message()};
  }

  PixPtr pix(header->format == ImageFormat::kTiff ? pixReadTiff(image.path.c_str(), image.frame)
                                                  : pixRead(image.path.c_str()));
  if (!pix) {
    return Result<OcrPageResult>::Fail("image frame " + std::to_string(image.frame) +
                                       " could not be decoded");
  }
  if (Status size = CheckImageSize(pixGetWidth(pix.get()), pixGetHeight(pix.get())); !size.ok()) {
    return Error{size.message()};
  }
  pix = ToOcrDepth(std::move(pix));
  if (!pix) return Result<OcrPageResult>::Fail("image could not be converted to grey");

  OcrPageResult result;
  if (engines.preprocess) {
    auto prepared = PreparePage(engines.osd.get(), std::move(pix));
    if (!prepared.ok()) return Error{prepared.message()};
    pix = std::move(prepared->pix);
    result.rotation_degrees = prepared->rotation_degrees;
    result.skew_degrees = prepared->skew_degrees;
  }

  ClearOnExit clear(api);
  api.SetImage(pix.get());
  if (api.Recognize(nullptr) != 0) return Result<OcrPageResult>::Fail("recognition failed");
  std::unique_ptr<char[]> text(api.GetUTF8Text());
  if (text) result.text = text.get();
  result.confidence = std::clamp(api.MeanTextConf(), 0, 100) / 100.0;
  return result;
}

std::vector<std::string> SplitLanguages(const std::string& languages) {
  std::vector<std::string> out;
  std::stringstream in(languages);
  std::string lang;
  while (std::getline(in, lang, '+')) {
    if (!lang.empty() && lang[0] != '~') out.push_back(lang);
  }
  return out;
}

// Names, sizes and hashes of the data files of `languages` in `datapath` (Tesseract's folder,
// as the engine resolved it).
std::vector<OcrModelFile> DescribeModelFiles(const std::filesystem::path& datapath,
                                             const std::vector<std::string>& languages) {
  std::vector<OcrModelFile> out;
  for (const auto& lang : languages) {
    OcrModelFile model{.name = lang + ".traineddata", .size = 0, .sha256 = {}};
    const std::filesystem::path path = datapath / model.name;
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec) model.size = size;
    if (auto hash = Sha256File(path); hash.ok()) model.sha256 = *hash;
    out.push_back(std::move(model));
  }
  return out;
}

class TesseractPool final : public OcrPool {
 public:
  TesseractPool(std::vector<WorkerEngines> engines, std::string languages,
                std::vector<OcrModelFile> model_files)
      : engines_(std::move(engines)),
        languages_(std::move(languages)),
        model_files_(std::move(model_files)) {}

  std::vector<Result<OcrPageResult>> RecognizeAll(const std::vector<OcrImage>& images) override {
    const auto start = std::chrono::steady_clock::now();
    std::vector<Result<OcrPageResult>> results(
        images.size(), Result<OcrPageResult>::Fail("page was not processed"));
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> done{0};
    const std::size_t threads_wanted = std::min(engines_.size(), images.size());

    // The calling thread is worker 0; workers 1..n-1 get their own threads for this batch.
    std::vector<std::thread> threads;
    for (std::size_t w = 1; w < threads_wanted; ++w) {
      try {
        threads.emplace_back([&, w] { Work(engines_[w], images, next, done, results); });
      } catch (const std::system_error&) {
        Log()->warn("ocr: could not start worker {}, continuing with {}", w, threads.size() + 1);
        break;
      }
    }
    if (!images.empty()) Work(engines_[0], images, next, done, results);
    for (auto& t : threads) t.join();

    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    Log()->debug("ocr: {} images on {} workers in {} ms", images.size(), threads.size() + 1, ms);
    return results;
  }

  int workers() const override { return static_cast<int>(engines_.size()); }

  std::string engine_version() const override {
    return std::string("tesseract ") + tesseract::TessBaseAPI::Version() + " (" + languages_ + ")";
  }

  const std::vector<OcrModelFile>& model_files() const override { return model_files_; }

 private:
  // Runs on a worker thread: takes pages from the shared index until none are left, using only
  // `engine`. Nothing escapes: a failure becomes that page's Error.
  static void Work(WorkerEngines& engine, const std::vector<OcrImage>& images,
                   std::atomic<std::size_t>& next, std::atomic<std::size_t>& done,
                   std::vector<Result<OcrPageResult>>& results) noexcept {
    for (;;) {
      const std::size_t i = next.fetch_add(1);
      if (i >= images.size()) return;
      try {
        results[i] = RecognizeOne(engine, images[i]);
      } catch (const std::bad_alloc&) {
        results[i] = Result<OcrPageResult>::Fail("out of memory while reading the page");
      } catch (...) {
        results[i] = Result<OcrPageResult>::Fail("OCR engine failed on the page");
      }
      ReportItems("pages read", done.fetch_add(1) + 1, images.size());
    }
  }

  std::vector<WorkerEngines> engines_;
  std::string languages_;
  std::vector<OcrModelFile> model_files_;
};

}  // namespace

Result<std::unique_ptr<OcrPool>> OcrPool::Create(const OcrOptions& options) {
  using R = Result<std::unique_ptr<OcrPool>>;
  QuietLeptonica();
  const auto start = std::chrono::steady_clock::now();
  const std::string languages = options.languages.empty() ? "jpn" : options.languages;
  const std::vector<std::string> wanted = SplitLanguages(languages);
  if (wanted.empty()) return R::Fail("no OCR language given");

  int workers =
      options.workers > 0 ? options.workers : static_cast<int>(std::thread::hardware_concurrency());
  workers = std::clamp(workers, 1, kMaxWorkers);

  const char* datapath = options.tessdata_dir.empty() ? nullptr : options.tessdata_dir.c_str();
  std::vector<WorkerEngines> engines;
  bool have_osd = options.preprocess;
  for (int w = 0; w < workers; ++w) {
    auto api = std::make_unique<tesseract::TessBaseAPI>();
    api->SetVariable("debug_file", "/dev/null");
    const int rc = api->Init(datapath, languages.c_str(), tesseract::OEM_LSTM_ONLY);
    std::vector<std::string> loaded;
    if (rc == 0) api->GetLoadedLanguagesAsVector(&loaded);
    for (const auto& lang : wanted) {
      if (rc != 0 || std::find(loaded.begin(), loaded.end(), lang) == loaded.end()) {
        return R::Fail("Tesseract could not load the language data \"" + lang + "\" (from " +
                       (datapath ? options.tessdata_dir : std::string("the default tessdata")) +
                       "); install tesseract-ocr-" + lang + " or set the tessdata folder");
      }
    }
    api->SetPageSegMode(tesseract::PSM_AUTO);
    WorkerEngines worker{
        .reader = std::move(api), .osd = nullptr, .preprocess = options.preprocess};
    if (have_osd) {
      auto osd = CreateOsdEngine(options.tessdata_dir);
      if (osd.ok()) {
        worker.osd = std::move(osd.value());
      } else {
        Log()->warn("ocr: {}; pages are deskewed but not turned upright", osd.message());
        have_osd = false;
      }
    }
    engines.push_back(std::move(worker));
  }
  if (!have_osd) {
    for (auto& worker : engines) worker.osd.reset();
  }

  if (const int limit = OpenMpThreadLimit(); limit > 1) {
    Log()->warn(
        "ocr: OpenMP thread limit is {}, not 1; Tesseract will oversubscribe the cores "
        "(see ocr/openmp_env.h)",
        limit);
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  Log()->info("ocr: {} Tesseract {} engines ({}{}) loaded in {} ms", workers,
              tesseract::TessBaseAPI::Version(), languages,
              options.preprocess ? (have_osd ? ", orientation and deskew" : ", deskew") : "", ms);
  std::vector<std::string> model_languages = wanted;
  if (have_osd) model_languages.push_back("osd");
  auto model_files = DescribeModelFiles(engines.front().reader->GetDatapath(), model_languages);
  return std::unique_ptr<OcrPool>(
      std::make_unique<TesseractPool>(std::move(engines), languages, std::move(model_files)));
}

}  // namespace intake::ocr
