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

#include "ocr/field_reread.h"
#include "ocr/openmp_env.h"
#include "ocr/page_image.h"
#include "ocr/page_loader.h"
#include "ocr/page_mending.h"
#include "ocr/page_reader.h"
#include "ocr/preprocess.h"
#include "pipeline/atomic_file.h"
#include "pipeline/hash.h"
#include "pipeline/log.h"
#include "pipeline/progress.h"

namespace intake::ocr {
namespace {

constexpr int kMaxWorkers = 64;
constexpr int kKeptJpegQuality = 75;
// Pages that read below this confidence (0..1) are checked with OSD; the LOW_OCR_CONFIDENCE
// default threshold is the same.
constexpr double kCheckOrientationBelow = 0.6;
// A turned reading is kept unless it reads this much worse than the reading as the page came.
constexpr double kTurnTolerance = 0.03;
// Pages read below this mean confidence (0..1) are looked at for scanner speckle (a page of it
// reads at about 0.7; clean ones at 0.83-0.92), and read again without it when they have it.
constexpr double kCheckSpecklesBelow = 0.8;

double Milliseconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since)
      .count();
}

// One worker's engines: `reader` reads pages; `osd` finds the orientation of a page that reads
// badly, loaded on first use (never when `with_osd` is false: preprocessing off or the OSD data
// missing; 200 ms of the 270 ms both took to load, for the few pages that need it); `vertical`
// reads vertical writing, loaded on first use (never when the options name no vertical model);
// `digits` reads a date's numbers again (ocr/field_reread.h), loaded on first use. None is tried
// again after failing to load once.
struct WorkerEngines {
  std::unique_ptr<tesseract::TessBaseAPI> reader;
  std::unique_ptr<tesseract::TessBaseAPI> osd;
  std::unique_ptr<tesseract::TessBaseAPI> vertical;
  std::unique_ptr<tesseract::TessBaseAPI> digits;
  bool with_osd = false;
  bool osd_failed = false;
  bool vertical_failed = false;
  bool digits_failed = false;
  const OcrOptions* options = nullptr;  // owned by the pool
  // Why `reader` could not be loaded when the worker first needed it (every page it takes then
  // fails with this); empty while it loaded or was not needed yet.
  std::string load_failure;
};

// An LSTM engine for `languages`, or null when its data cannot be loaded.
std::unique_ptr<tesseract::TessBaseAPI> CreateReader(const OcrOptions& options,
                                                     const std::string& languages) {
  QuietTesseract();
  auto api = std::make_unique<tesseract::TessBaseAPI>();
  const char* datapath = options.tessdata_dir.empty() ? nullptr : options.tessdata_dir.c_str();
  if (api->Init(datapath, languages.c_str(), tesseract::OEM_LSTM_ONLY) != 0) return nullptr;
  // jpn's own config sets this; jpn_vert's does not, and would put a space between all words.
  api->SetVariable("preserve_interword_spaces", "1");
  api->SetPageSegMode(tesseract::PSM_AUTO);
  return api;
}

// The engine in `slot`, loaded for `languages` on first use; null when none are named or they
// could not be loaded (`failed` is set then, and the warning "ocr: <lost>" given once).
tesseract::TessBaseAPI* LoadedOnFirstUse(const OcrOptions& options, const std::string& languages,
                                         std::unique_ptr<tesseract::TessBaseAPI>& slot,
                                         bool& failed, const char* lost) {
  if (slot || failed) return slot.get();
  if (languages.empty()) {
    failed = true;
    return nullptr;
  }
  const auto start = std::chrono::steady_clock::now();
  slot = CreateReader(options, languages);
  if (!slot) {
    failed = true;
    Log()->warn("ocr: {}", lost);
    return nullptr;
  }
  Log()->debug("ocr: {} model loaded in {:.0f} ms", languages, Milliseconds(start));
  return slot.get();
}

tesseract::TessBaseAPI* VerticalEngine(WorkerEngines& engines) {
  return LoadedOnFirstUse(*engines.options, engines.options->vertical_languages, engines.vertical,
                          engines.vertical_failed,
                          "the vertical model could not be loaded (install "
                          "tesseract-ocr-jpn-vert); vertical pages are read with the horizontal "
                          "model only");
}

tesseract::TessBaseAPI* DigitEngine(WorkerEngines& engines) {
  return LoadedOnFirstUse(*engines.options, engines.options->digit_languages, engines.digits,
                          engines.digits_failed,
                          "the model for digits could not be loaded (install tesseract-ocr-eng); "
                          "the numbers of dates on forms are not read again");
}

tesseract::TessBaseAPI* OsdEngine(WorkerEngines& engines) {
  if (engines.osd || engines.osd_failed || !engines.with_osd) return engines.osd.get();
  const auto start = std::chrono::steady_clock::now();
  auto osd = CreateOsdEngine(engines.options->tessdata_dir);
  if (!osd.ok()) {
    engines.osd_failed = true;
    Log()->warn("ocr: {}; pages are deskewed but not turned upright", osd.message());
    return nullptr;
  }
  engines.osd = std::move(osd.value());
  Log()->debug("ocr: orientation model loaded in {:.0f} ms", Milliseconds(start));
  return engines.osd.get();
}

// Keeps the image that was read: bilevel as PNG, grey as JPEG. Returns the file written.
Result<std::filesystem::path> KeepImage(Pix* pix, const std::filesystem::path& stem) {
  std::filesystem::path path = stem;
  const bool bilevel = pixGetDepth(pix) == 1;
  path += bilevel ? ".png" : ".jpg";
  // Encoded in memory and written here, so that a full disk is told from a failed encoding.
  l_uint8* data = nullptr;
  size_t size = 0;
  const l_ok failed = bilevel ? pixWriteMem(&data, &size, pix, IFF_PNG)
                              : pixWriteMemJpeg(&data, &size, pix, kKeptJpegQuality, 0);
  if (failed != 0 || data == nullptr) {
    lept_free(data);
    return Result<std::filesystem::path>::Fail("the page image could not be encoded");
  }
  Status written = WriteFileInPlace(
      path, std::string_view(reinterpret_cast<const char*>(data), size));
  lept_free(data);
  if (!written.ok()) {
    return Error{"the page image could not be kept: " + written.message(), written.code()};
  }
  return path;
}

// One way of holding the page and what the engines read in it.
struct Attempt {
  PixPtr page;
  PageReading reading;
  int rotation = 0;  // clockwise degrees applied to the source
  double skew = 0;   // clockwise degrees applied to straighten it
  bool vertical = false;
  bool time_limited = false;  // the deadline stopped a reading of this attempt
};

// Straightens `page` (when preprocessing) and reads it: with the horizontal model, then with the
// vertical one when the first reading found vertical writing it could not read. The vertical
// reading is used only when it finished before `deadline`.
Result<Attempt> ReadAs(WorkerEngines& engines, PixPtr page, int rotation, Deadline deadline,
                       double& read_ms, OcrPageTimings& timings) {
  Attempt attempt;
  attempt.rotation = rotation;
  if (engines.options->preprocess && !Passed(deadline)) {
    const auto start = std::chrono::steady_clock::now();
    auto skew = Straighten(page);
    if (!skew.ok()) return Error{skew.message()};
    attempt.skew = *skew;
    timings.deskew_ms += Milliseconds(start);
  }
  auto start = std::chrono::steady_clock::now();
  auto reading = ReadPage(*engines.reader, page.get(), deadline);
  if (!reading.ok()) return Error{reading.message()};
  read_ms += Milliseconds(start);
  attempt.time_limited = reading->cut_short;
  if (!reading->cut_short && NeedsVerticalModel(*reading) &&
      !engines.options->vertical_languages.empty()) {
    if (tesseract::TessBaseAPI* vertical = VerticalEngine(engines)) {
      start = std::chrono::steady_clock::now();
      auto second = ReadPage(*vertical, page.get(), deadline);
      timings.vertical_ms += Milliseconds(start);
      if (second.ok() && second->cut_short) {
        attempt.time_limited = true;
      } else if (second.ok() &&
                 MeanLineConfidence(*second, true) > MeanLineConfidence(*reading, true)) {
        *reading = MergeReadings(*reading, *second);
        attempt.vertical = true;
      }
    }
  }
  attempt.reading = std::move(*reading);
  attempt.page = std::move(page);
  return attempt;
}

// Reads a page the way that reads best: as it is (after straightening); turned a quarter
// counter-clockwise when Tesseract read it as columns of upright glyphs (LooksSideways); or,
// when the page reads badly, turned as the OSD model says. So upright pages, nearly all of
// them, never pay for OSD, and turned pages pay for a second reading instead (measured on the
// generated forms: 180 and 270 degree pages read at confidence 0.22-0.31, upright ones and
// quarter-clockwise ones at 0.73-0.92). Past `deadline` nothing more is tried: the first reading
// is returned, marked time-limited when a check or second reading was left undone.
Result<Attempt> ReadUpright(WorkerEngines& engines, PixPtr page, Deadline deadline,
                            OcrPageTimings& timings) {
  auto first = ReadAs(engines, std::move(page), 0, deadline, timings.recognize_ms, timings);
  if (!first.ok() || first->time_limited || !engines.options->preprocess) return first;

  int turn = 0;
  if (!first->vertical && LooksSideways(first->reading)) {
    turn = 270;
  } else if (first->reading.confidence < kCheckOrientationBelow && engines.with_osd &&
             !engines.osd_failed) {
    if (Passed(deadline)) {  // OSD cannot be stopped once started
      first->time_limited = true;
      return first;
    }
    const auto start = std::chrono::steady_clock::now();
    tesseract::TessBaseAPI* osd = OsdEngine(engines);
    PixPtr binary = osd ? Binarize(first->page.get()) : nullptr;
    if (binary) turn = DetectUprightRotation(*osd, binary.get());
    timings.orient_ms += Milliseconds(start);
  }
  if (turn == 0) return first;

  PixPtr turned = Turned(first->page.get(), turn);
  if (!turned) return Result<Attempt>::Fail("page could not be turned");
  auto second = ReadAs(engines, std::move(turned), turn, deadline, timings.reread_ms, timings);
  if (!second.ok()) return first;
  if (second->time_limited) {  // a reading cut short is not compared with a whole one
    first->time_limited = true;
    return first;
  }
  second->skew += first->skew;
  // Upright is better for the reader of the PDF: a turn that reads about as well is kept.
  if (second->reading.confidence + kTurnTolerance >= first->reading.confidence) return second;
  return first;
}

// Reads a page that read unsurely again without its scanner speckle, when it has some (Tesseract
// reads specks as glyphs and loses the thin strokes beside them: 続柄 read as 本, a birth date as
// MMN2067有20日); the reading that is surer is kept, with the page it was made from.
void ReadDespeckled(WorkerEngines& engines, Attempt& attempt, Deadline deadline,
                    OcrPageTimings& timings) {
  if (attempt.time_limited || attempt.vertical || !engines.options->preprocess ||
      attempt.reading.confidence >= kCheckSpecklesBelow || Passed(deadline))
    return;
  const auto start = std::chrono::steady_clock::now();
  if (SpecksPerMegapixel(attempt.page.get()) < kMinSpecksPerMegapixel) {
    timings.deskew_ms += Milliseconds(start);
    return;
  }
  PixPtr clean = Despeckled(attempt.page.get());
  timings.deskew_ms += Milliseconds(start);
  if (!clean) return;
  const auto read_start = std::chrono::steady_clock::now();
  auto again = ReadPage(*engines.reader, clean.get(), deadline);
  timings.reread_ms += Milliseconds(read_start);
  if (!again.ok() || again->cut_short || again->confidence <= attempt.reading.confidence) return;
  attempt.reading = std::move(*again);
  attempt.page = std::move(clean);
}

Result<OcrPageResult> RecognizeOne(WorkerEngines& engines, const OcrImage& image) {
  OcrPageResult result;
  auto start = std::chrono::steady_clock::now();
  const auto limit = engines.options->page_time_limit;
  const Deadline deadline = limit.count() > 0 ? start + limit : kNoDeadline;
  const bool normalize = engines.options->normalize_background;
  Result<LoadedPage> loaded = Result<LoadedPage>::Fail("page was not loaded");
  if (image.render) {
    auto drawn = image.render(deadline);
    if (!drawn.ok()) return drawn.error();
    loaded = LoadDrawnPage(*drawn, normalize);
  } else {
    loaded = LoadPage(image.path, image.frame, normalize);
  }
  if (!loaded.ok()) return loaded.error();
  result.scale = loaded->scale;
  result.background_normalized = loaded->background_normalized;
  result.image_damaged = loaded->damaged;
  result.image_dpi = loaded->dpi;
  result.timings.decode_ms = Milliseconds(start);

  auto attempt = ReadUpright(engines, std::move(loaded->pix), deadline, result.timings);
  if (!attempt.ok()) return Error{attempt.message()};
  ReadDespeckled(engines, *attempt, deadline, result.timings);
  if (!attempt->time_limited && !attempt->vertical) {
    start = std::chrono::steady_clock::now();
    RereadTitle(*engines.reader, attempt->page.get(), attempt->reading, deadline);
    WriteRingedChoices(*engines.reader, attempt->page.get(), attempt->reading, deadline);
    RereadClosedFields(*engines.reader, attempt->page.get(), attempt->reading,
                       engines.options->closed_fields, deadline,
                       [&engines] { return DigitEngine(engines); });
    result.timings.recognize_ms += Milliseconds(start);
  }
  result.time_limited = attempt->time_limited;
  Pix* pix = attempt->page.get();
  pixSetResolution(pix, result.image_dpi, result.image_dpi);
  result.rotation_degrees = attempt->rotation;
  result.skew_degrees = attempt->skew;
  result.vertical = attempt->vertical;
  result.image_width = pixGetWidth(pix);
  result.image_height = pixGetHeight(pix);

  if (!image.keep_as.empty()) {
    start = std::chrono::steady_clock::now();
    auto kept = KeepImage(pix, image.keep_as);
    if (!kept.ok()) return kept.error();
    result.kept_image = std::move(*kept);
    result.timings.keep_ms = Milliseconds(start);
  }

  PageReading& reading = attempt->reading;
  result.text = std::move(reading.text);
  result.confidence = result.time_limited ? 0.0 : reading.confidence;
  result.lines.reserve(reading.lines.size());
  for (auto& line : reading.lines) result.lines.push_back(std::move(line.line));
  const OcrPageTimings& t = result.timings;
  Log()->debug(
      "ocr: page read in {:.0f} ms: decode {:.0f}, deskew {:.0f}, orientation {:.0f}, recognize "
      "{:.0f}, again turned {:.0f}, vertical {:.0f}, keep {:.0f} ms; {}x{} px at {} dpi (scale "
      "{:.2f}{}), turned {} deg, straightened {:.2f} deg, vertical share {:.2f}{}, {} lines{}",
      t.decode_ms + t.deskew_ms + t.orient_ms + t.recognize_ms + t.reread_ms + t.vertical_ms +
          t.keep_ms,
      t.decode_ms, t.deskew_ms, t.orient_ms, t.recognize_ms, t.reread_ms, t.vertical_ms, t.keep_ms,
      result.image_width, result.image_height, result.image_dpi, result.scale,
      result.background_normalized ? ", background normalised" : "", result.rotation_degrees,
      result.skew_degrees, reading.vertical_share, result.vertical ? " (read vertically)" : "",
      result.lines.size(), result.time_limited ? " (page time limit reached)" : "");
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

// The pool's fixed setup, decided in Create without loading any engine.
struct PoolSetup {
  std::vector<std::string> languages;  // every language of OcrOptions::languages, all installed
  bool with_osd = false;               // turn pages upright (osd installed, preprocessing on)
};

// What a worker needs to say why its reader could not be loaded.
std::string ReaderLoadFailure(const OcrOptions& options, const std::string& lang) {
  return "Tesseract could not load the language data \"" + lang + "\" (from " +
         (options.tessdata_dir.empty() ? std::string("the default tessdata")
                                       : options.tessdata_dir) +
         "); install tesseract-ocr-" + lang + " or set the tessdata folder";
}

// Loads one worker's reader (every language of `setup` must load; its OSD engine waits for a page
// that needs it: OsdEngine). Runs on the worker's thread the first time it takes a page; touches
// only `worker`. Returns false when the reader did not load (`worker.load_failure` says why).
bool LoadWorkerEngines(const PoolSetup& setup, WorkerEngines& worker) noexcept {
  const OcrOptions& options = *worker.options;
  const auto start = std::chrono::steady_clock::now();
  try {
    auto api = CreateReader(options, options.languages);
    std::vector<std::string> loaded;
    if (api) api->GetLoadedLanguagesAsVector(&loaded);
    for (const auto& lang : setup.languages) {
      if (!api || std::find(loaded.begin(), loaded.end(), lang) == loaded.end()) {
        worker.load_failure = ReaderLoadFailure(options, lang);
        return false;
      }
    }
    worker.reader = std::move(api);
  } catch (const std::exception&) {
    worker.load_failure = "the OCR engine could not be loaded (out of memory?)";
    return false;
  }
  Log()->debug("ocr: engine ({}) loaded in {:.0f} ms", options.languages, Milliseconds(start));
  return true;
}

// Runs on a worker thread: the reader is loaded when the worker takes its first page, so a
// case without pages to read (a disc, an unreadable file) never pays for it (about 70 ms per
// worker for jpn; osd, loaded with it until 2026-12-07, took another 200 ms).
bool EnsureLoaded(const PoolSetup& setup, WorkerEngines& worker) {
  if (worker.reader) return true;
  if (!worker.load_failure.empty()) return false;  // tried once: not again for every page
  return LoadWorkerEngines(setup, worker);
}

class TesseractPool final : public OcrPool {
 public:
  TesseractPool(std::unique_ptr<OcrOptions> options, PoolSetup setup, int workers,
                std::filesystem::path tessdata, std::vector<OcrModelFile> model_files)
      : options_(std::move(options)),
        setup_(std::move(setup)),
        engines_(static_cast<std::size_t>(workers)),
        tessdata_(std::move(tessdata)),
        model_files_(std::move(model_files)) {
    for (auto& worker : engines_) {
      worker.options = options_.get();
      worker.with_osd = setup_.with_osd;
    }
  }

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

    Log()->debug("ocr: {} images on {} workers in {:.0f} ms", images.size(), threads.size() + 1,
                 Milliseconds(start));
    return results;
  }

  int workers() const override { return static_cast<int>(engines_.size()); }

  int workers_loaded() const override {
    return static_cast<int>(std::count_if(engines_.begin(), engines_.end(),
                                          [](const WorkerEngines& w) { return w.reader != nullptr; }));
  }

  std::string engine_version() const override {
    return std::string("tesseract ") + tesseract::TessBaseAPI::Version() + " (" +
           options_->languages + ")";
  }

  const std::vector<OcrModelFile>& model_files() const override { return model_files_; }
  std::filesystem::path tessdata_dir() const override { return tessdata_; }

 private:
  // Runs on a worker thread: loads the worker's engines if this is its first page, then takes
  // pages from the shared index until none are left, using only `engine`. Nothing escapes: a
  // failure becomes that page's Error.
  void Work(WorkerEngines& engine, const std::vector<OcrImage>& images,
            std::atomic<std::size_t>& next, std::atomic<std::size_t>& done,
            std::vector<Result<OcrPageResult>>& results) const noexcept {
    for (;;) {
      const std::size_t i = next.fetch_add(1);
      if (i >= images.size()) return;
      if (!images[i].file_id.empty()) ReportFile(images[i].file_id);
      try {
        if (EnsureLoaded(setup_, engine)) {
          results[i] = RecognizeOne(engine, images[i]);
        } else {
          results[i] = Result<OcrPageResult>::Fail(engine.load_failure);
        }
      } catch (const std::bad_alloc&) {
        results[i] = Error{"out of memory while reading the page", ErrorCode::kOutOfMemory};
      } catch (...) {
        results[i] = Result<OcrPageResult>::Fail("OCR engine failed on the page");
      }
      ReportItems("pages read", done.fetch_add(1) + 1, images.size());
    }
  }

  std::unique_ptr<OcrOptions> options_;  // the workers' engines point to it
  PoolSetup setup_;
  std::vector<WorkerEngines> engines_;  // engines_[w] is only touched by worker w's thread
  std::filesystem::path tessdata_;
  std::vector<OcrModelFile> model_files_;
};

// The file Tesseract asked for in ProbeDataFile (one probe at a time: Create's caller thread).
thread_local std::string probed_data_file;

bool RecordDataFile(const char* filename, std::vector<char>* /*data*/) {
  probed_data_file = filename;
  return false;  // nothing is loaded: Init stops here
}

// The folder Tesseract loads `language`'s data from (OcrOptions::tessdata_dir, TESSDATA_PREFIX
// or its built-in default), found without loading anything: Init is given a file reader that
// notes the path it is asked for and fails.
Result<std::filesystem::path> TessdataFolder(const OcrOptions& options, const std::string& language) {
  probed_data_file.clear();
  QuietTesseract();
  tesseract::TessBaseAPI probe;
  const char* datapath = options.tessdata_dir.empty() ? nullptr : options.tessdata_dir.c_str();
  probe.Init(datapath, 0, language.c_str(), tesseract::OEM_LSTM_ONLY, nullptr, 0, nullptr,
             nullptr, false, &RecordDataFile);
  if (probed_data_file.empty()) {
    return Result<std::filesystem::path>::Fail("Tesseract did not say where its language data is");
  }
  return std::filesystem::path(probed_data_file).parent_path();
}

}  // namespace

Result<std::unique_ptr<OcrPool>> OcrPool::Create(const OcrOptions& options) {
  using R = Result<std::unique_ptr<OcrPool>>;
  QuietLeptonica();
  auto owned = std::make_unique<OcrOptions>(options);
  if (owned->languages.empty()) owned->languages = "jpn";
  PoolSetup setup;
  setup.languages = SplitLanguages(owned->languages);
  if (setup.languages.empty()) return R::Fail("no OCR language given");
  // The vertical model reads Japanese; a pool for other languages never needs it.
  if (std::find(setup.languages.begin(), setup.languages.end(), "jpn") == setup.languages.end()) {
    owned->vertical_languages.clear();
  }
  int workers =
      options.workers > 0 ? options.workers : static_cast<int>(std::thread::hardware_concurrency());
  workers = std::clamp(workers, 1, kMaxWorkers);

  // No engine is loaded here (each worker loads its own on its first page: EnsureLoaded), but
  // missing language data is found now, so that a run without it stops before any case.
  auto tessdata = TessdataFolder(*owned, setup.languages.front());
  if (!tessdata.ok()) return R::Fail(tessdata.message());
  const auto installed = [&](const std::string& lang) {
    std::error_code ec;
    return std::filesystem::is_regular_file(*tessdata / (lang + ".traineddata"), ec);
  };
  for (const auto& lang : setup.languages) {
    if (!installed(lang)) return R::Fail(ReaderLoadFailure(*owned, lang));
  }
  setup.with_osd = options.preprocess && installed("osd");
  if (options.preprocess && !setup.with_osd) {
    Log()->warn(
        "ocr: Tesseract's orientation data \"osd\" is not installed (tesseract-ocr-osd); pages "
        "are deskewed but not turned upright");
  }
  if (const int limit = OpenMpThreadLimit(); limit > 1) {
    Log()->warn(
        "ocr: OpenMP thread limit is {}, not 1; Tesseract will oversubscribe the cores "
        "(see ocr/openmp_env.h)",
        limit);
  }
  Log()->info("ocr: {} Tesseract {} workers ({}{}), engines loaded when first needed", workers,
              tesseract::TessBaseAPI::Version(), owned->languages,
              options.preprocess ? (setup.with_osd ? ", orientation and deskew" : ", deskew") : "");
  // Every model that can read a page: the languages, osd when pages are turned upright, and the
  // vertical and digit models (loaded on first use, recorded whether used or not).
  std::vector<std::string> model_languages = setup.languages;
  if (setup.with_osd) model_languages.push_back("osd");
  for (const auto& lang : SplitLanguages(owned->vertical_languages)) {
    if (installed(lang)) model_languages.push_back(lang);
  }
  if (!owned->closed_fields.empty()) {
    for (const auto& lang : SplitLanguages(owned->digit_languages)) {
      if (installed(lang) && std::find(model_languages.begin(), model_languages.end(), lang) ==
                                 model_languages.end())
        model_languages.push_back(lang);
    }
  }
  auto model_files = DescribeModelFiles(*tessdata, model_languages);
  return std::unique_ptr<OcrPool>(std::make_unique<TesseractPool>(
      std::move(owned), std::move(setup), workers, std::move(*tessdata), std::move(model_files)));
}

}  // namespace intake::ocr
