// OCR adapter: a pool of Tesseract engines, one per worker thread, loaded once and reused.
//
// No Tesseract or Leptonica type appears here. Create the pool once per process, then hand it
// whole batches of page images; pages are spread across the workers, one single-threaded engine
// each (OMP_THREAD_LIMIT=1 must be set in the environment before the pool is created: app/main
// does it). Creating loads nothing: each worker loads its engines (the `jpn` model costs about as
// much as a page to load, and 85 MiB) on the first page it takes, so a run whose cases have no
// page to read (a DICOM disc) never loads them. Each worker reads (or draws) its
// pages one at a time, so a batch never holds more than one page image per worker.
//
// Before a page is read it is decoded within size limits (ocr/page_image.h), huge images are
// scaled down to about 300 dpi A4, colour becomes grey (the red channel: red seals fade, black
// and blue ink stay), photo-like pages (uneven light) get their background evened out, and the
// page is straightened (ocr/preprocess.h). Pages that read badly are checked for orientation
// (Tesseract OSD) and read again turned; pages Tesseract reads as sideways columns are read again
// turned upright; vertical writing is read again with the vertical model (`jpn_vert`, loaded per
// worker on first use). The upright image read can be kept as a file for the searchable PDF, and
// the result carries the text lines with their boxes in it.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/result.h"
#include "pipeline/time_limits.h"

namespace intake::ocr {

// A form field whose answer is one of a few words — a relation (妻, 長女), a department (泌尿器科)
// — or has a shape a reading can be checked against (a date). Handwriting-style print and scanner
// noise mislead Tesseract on such short answers (妻 read as 加, 泌尿器科 as 導M, a speckled date
// lost). Where a line holds one of `labels` and what follows it is no answer, that part of the
// line is read again alone (ocr/field_reread.h), and the reading stands in for it when it is one.
struct ClosedField {
  std::vector<std::string> labels;
  std::vector<std::string> answers;  // the few answers; none for a field of a shape:
  std::function<bool(const std::string&)> has_shape = nullptr;  // whether a reading is an answer
};

struct OcrOptions {
  std::string languages = "jpn";  // Tesseract language string
  std::string tessdata_dir;       // empty: Tesseract's default
  int workers = 0;                // 0: as many as cores
  // Straighten skews of 0.1-10 degrees before reading, and turn pages upright (pages that read
  // badly are checked with Tesseract OSD, tesseract-ocr-osd). Without the OSD data only the skew
  // and sideways pages are corrected.
  bool preprocess = true;
  // Model for text written vertically (Japanese: tesseract-ocr-jpn-vert); empty, or `languages`
  // without jpn: vertical pages are read with `languages` only. Loaded by each worker the first
  // time it meets such a page.
  std::string vertical_languages = "jpn_vert";
  // Even out uneven light (phone photos) before reading.
  bool normalize_background = true;
  // Time one page may take, from when a worker takes it: drawing or decoding, straightening,
  // reading, and any orientation check and second reading. Tesseract's recognition stops at the
  // deadline (its ETEXT_DESC monitor); the steps that cannot be stopped (drawing, decoding,
  // Tesseract's layout analysis, OSD) are not started once it has passed. A page that runs over
  // is returned as read so far, with `time_limited` set. 0: no limit.
  std::chrono::milliseconds page_time_limit{kDefaultPageTimeLimit};
  // Fields read again where their answer was misread (above); none by default.
  std::vector<ClosedField> closed_fields = {};
  // Model that reads the numbers of a closed field of a shape (a date) again, each alone
  // (Latin digits: tesseract-ocr-eng). Loaded by each worker the first time it needs it; empty,
  // or not installed: the numbers stand as the page's reading has them.
  std::string digit_languages = "eng";
};

// 8-bit grey pixels in memory, rows of `stride` bytes: a drawn PDF page, or a scanned page's
// image taken out of its PDF as it is stored.
struct GrayImage {
  std::vector<unsigned char> pixels;
  int width = 0;
  int height = 0;
  int stride = 0;
  int dpi = 0;
  int quarter_turns = 0;  // clockwise quarter turns that stand the pixels as the page shows them
  bool bilevel = false;   // every pixel 0 or 255 (a 1-bit scan): read and kept as 1-bit
  bool damaged = false;   // its decoder reported corrupt or missing data (a broken JPEG)
};

// One page image to read: a file (PNG, TIFF, JPEG...) and its frame for multi-page TIFF, or a
// page drawn on demand.
struct OcrImage {
  std::filesystem::path path;
  int frame = 0;
  // Where to keep the image that was read (upright, straightened, grey or bilevel), without
  // extension: the pool adds ".jpg" (grey, JPEG quality 75) or ".png" (bilevel). Empty: not kept.
  std::filesystem::path keep_as = {};
  // When set, `path` is not read: the worker calls this once to draw the page or take its scanned
  // image (a PDF page without text), so pages are made in parallel and never written to disk. It
  // runs on a worker thread and must not share state with other pages' calls. It is given the
  // page's deadline (OcrOptions::page_time_limit; time_point::max() for none) and fails with
  // ErrorCode::kTimeLimit when drawing would pass it.
  std::function<Result<GrayImage>(std::chrono::steady_clock::time_point deadline)> render = {};
  // The file the page belongs to ("f0003"), reported while the page is read (pipeline/progress.h)
  // so that a case time limit can name it. Optional.
  std::string file_id = {};
};

// One line of text as read, with its box in the pixels of the image that was read.
// A word Tesseract recognised, with its box in the same pixels as its line's.
struct OcrWord {
  int left = 0;
  int top = 0;
  int width = 0;
  int height = 0;
  std::string text;  // UTF-8
};

struct OcrLine {
  int left = 0;
  int top = 0;
  int width = 0;
  int height = 0;
  bool vertical = false;  // a column of vertical writing
  std::string text;       // UTF-8, without the line break
  std::vector<OcrWord> words = {};  // in reading order; their texts make `text` (spaces aside)
};

// Milliseconds spent on each step of one page (for the debug log and benchmarks).
struct OcrPageTimings {
  double decode_ms = 0;     // reading the file or drawing the page, scaling, grey, background
  double deskew_ms = 0;     // skew detection and straightening
  double orient_ms = 0;     // orientation detection (OSD); 0 for pages that read well
  double recognize_ms = 0;  // Tesseract, first reading
  double reread_ms = 0;     // reading again after turning the page (0 for upright pages)
  double vertical_ms = 0;   // reading with the vertical model (0 when not needed)
  double keep_ms = 0;       // writing the kept image
};

struct OcrPageResult {
  std::string text;          // UTF-8
  double confidence = 0.0;   // 0..1, mean word confidence
  int rotation_degrees = 0;  // clockwise turn applied to make the page upright: 0, 90, 180, 270
  double skew_degrees = 0;   // clockwise rotation applied to straighten the lines
  bool vertical = false;     // some text was read with the vertical model
  bool background_normalized = false;  // photo-like page: uneven light evened out
  double scale = 1.0;                  // < 1 when a huge image was scaled down before reading
  std::vector<OcrLine> lines;          // in reading order
  // The image that was read: its size, resolution (recorded, or estimated for an A4-like page
  // when the file records none or an implausible one) and, when kept, its file.
  int image_width = 0;
  int image_height = 0;
  int image_dpi = 0;
  std::filesystem::path kept_image;
  // The page ran over OcrOptions::page_time_limit: `text` and `lines` hold what was read before
  // the deadline (possibly nothing) and `confidence` is 0, since the page was not read in full.
  bool time_limited = false;
  // The page image's decoder reported corrupt or missing data: what could be read was read.
  bool image_damaged = false;
  OcrPageTimings timings;
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
  // A pool of `workers` workers, their engines not loaded yet. Fails when the language data is
  // not installed. Data that is installed but cannot be loaded fails the pages instead (each
  // with the reason).
  static Result<std::unique_ptr<OcrPool>> Create(const OcrOptions& options);
  virtual ~OcrPool() = default;

  // Reads all images, in parallel across the workers; result i belongs to image i. A page that
  // cannot be read gives an Error for that page only. Call from one thread at a time.
  virtual std::vector<Result<OcrPageResult>> RecognizeAll(const std::vector<OcrImage>& images) = 0;

  virtual int workers() const = 0;
  // How many workers have loaded their engines so far (a worker loads them on its first page).
  virtual int workers_loaded() const = 0;
  // Tesseract version and languages, for the report ("tesseract 5.3.0 jpn").
  virtual std::string engine_version() const = 0;
  // The language data files in use (the languages, then osd when pages are turned upright).
  virtual const std::vector<OcrModelFile>& model_files() const = 0;
  // The folder the language data was loaded from (it also holds Tesseract's pdf.ttf).
  virtual std::filesystem::path tessdata_dir() const = 0;
};

}  // namespace intake::ocr
