// OCR adapter: a pool of Tesseract engines, one per worker thread, loaded once and reused.
//
// No Tesseract or Leptonica type appears here. Create the pool once per process (loading the
// `jpn` model costs about as much as a page), then hand it whole batches of page images; pages are
// spread across the workers, one single-threaded engine each (OMP_THREAD_LIMIT=1 must be set in
// the environment before the pool is created: app/main does it). Each page is turned upright and
// straightened before it is read (ocr/preprocess.h); its result says what was done.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/result.h"

namespace intake::ocr {

struct OcrOptions {
  std::string languages = "jpn";  // Tesseract language string
  std::string tessdata_dir;       // empty: Tesseract's default
  int workers = 0;                // 0: as many as cores
  // Turn pages upright (Tesseract OSD, needs tesseract-ocr-osd) and straighten skews of
  // 0.1-10 degrees before reading them. Without the OSD data only the skew is corrected.
  bool preprocess = true;
};

// One page image to read: a file (PNG, TIFF, JPEG...) and its frame for multi-page TIFF.
struct OcrImage {
  std::filesystem::path path;
  int frame = 0;
};

struct OcrPageResult {
  std::string text;          // UTF-8
  double confidence = 0.0;   // 0..1, mean word confidence
  int rotation_degrees = 0;  // clockwise turn applied to make the page upright: 0, 90, 180, 270
  double skew_degrees = 0;   // clockwise rotation applied after that to straighten the lines
};

// A language data file the engines loaded ("jpn.traineddata"), for the audit trail: which model
// read the pages. `sha256` is empty when the file could not be read again after loading.
struct OcrModelFile {
  std::string name;
  std::uint64_t size = 0;
  std::string sha256;
};

class OcrPool {
 public:
  // Loads `workers` engines. Fails when the language data is missing.
  static Result<std::unique_ptr<OcrPool>> Create(const OcrOptions& options);
  virtual ~OcrPool() = default;

  // Reads all images, in parallel across the workers; result i belongs to image i. A page that
  // cannot be read gives an Error for that page only. Call from one thread at a time.
  virtual std::vector<Result<OcrPageResult>> RecognizeAll(const std::vector<OcrImage>& images) = 0;

  virtual int workers() const = 0;
  // Tesseract version and languages, for the report ("tesseract 5.3.0 jpn").
  virtual std::string engine_version() const = 0;
  // The language data files in use (the languages, then osd when pages are turned upright).
  virtual const std::vector<OcrModelFile>& model_files() const = 0;
};

}  // namespace intake::ocr
