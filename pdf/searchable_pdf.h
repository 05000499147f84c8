// Searchable PDF writer: page images with an invisible text layer, for the physician's folder.
//
// Each page is one image (a JPEG or PNG file's bytes, embedded as they are: DCTDecode, or
// FlateDecode with PNG predictors) at the physical size its resolution gives, and the page's text
// lines in invisible render mode (3 Tr), each line stretched (Tz) over its box in the image. The
// spaces Tesseract puts between Japanese characters are taken out of each line
// (JoinJapaneseWords), so that a search for 紹介状 or 患者氏名 finds the words. The text uses
// one Type0 font (Identity-H) whose CIDs are UTF-16 code units and whose ToUnicode map gives
// them back; every CID draws glyph 1 of the glyphless font Tesseract ships (pdf.ttf), embedded
// when it can be read. Characters outside the BMP get CIDs from the surrogate range (never a BMP
// character) and their own ToUnicode entries.
//
// Pages are written as they are added (one image in memory at a time) into `<path>.tmp`, which
// Finish() renames to `<path>`; a writer dropped before Finish() removes its temporary file. The
// output does not depend on the time of day: the same pages give the same bytes. Not
// thread-safe; one writer per document.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/result.h"

namespace intake::pdf {

// A line of text and its box in the page image, in pixels from the image's top-left corner.
struct TextLine {
  int left = 0;
  int top = 0;
  int width = 0;
  int height = 0;
  bool vertical = false;  // written top to bottom (the box is a column)
  std::string text;       // UTF-8
};

enum class ImageCodec { kJpeg, kPng };

// An encoded page image. JPEG: grey or RGB, baseline or progressive. PNG: grey (1-8 bits),
// palette or RGB (8 bits), not interlaced, without alpha.
struct PageImage {
  ImageCodec codec = ImageCodec::kJpeg;
  std::string bytes;  // the whole file
  double dpi = 300;   // pixels per inch, for the page's physical size
};

// Image properties read from the encoded bytes (exposed for tests).
struct ImageInfo {
  int width = 0;
  int height = 0;
  int bits_per_component = 8;
  int colours = 1;         // 1 grey (or palette index), 3 RGB
  std::string palette;     // RGB triples, for palette PNGs
  std::string flate_data;  // PNG: the concatenated IDAT chunks
};
Result<ImageInfo> InspectImage(const PageImage& image);

struct WriterOptions {
  // Tesseract's glyphless TrueType font; written without an embedded font program when absent.
  std::filesystem::path glyph_font = "/usr/share/tesseract-ocr/5/tessdata/pdf.ttf";
  std::string producer = "intake";
};

class SearchablePdfWriter {
 public:
  // Starts `path` (through `path`.tmp). Fails when the file cannot be created.
  static Result<std::unique_ptr<SearchablePdfWriter>> Open(const std::filesystem::path& path,
                                                           const WriterOptions& options = {});
  ~SearchablePdfWriter();
  SearchablePdfWriter(const SearchablePdfWriter&) = delete;
  SearchablePdfWriter& operator=(const SearchablePdfWriter&) = delete;

  // Adds a page showing `image` with `lines` over it. Fails for an image that cannot be embedded
  // (the document is still good without the page) and for write errors (the document is not).
  Status AddPage(const PageImage& image, const std::vector<TextLine>& lines);

  int pages() const { return static_cast<int>(page_objects_.size()); }
  // True after a write error: nothing more can be added, Finish() fails.
  bool failed() const { return failed_; }

  // Writes the page tree, fonts and cross-reference table and renames the file into place.
  Status Finish();

 private:
  SearchablePdfWriter(std::filesystem::path path, std::filesystem::path temp,
                      WriterOptions options);
  int NewObject();
  void BeginObject(int number);
  void WriteStream(int number, std::string_view dictionary_entries, std::string_view data);
  void WriteFonts();
  std::string EncodeText(std::string_view utf8);
  std::string ToUnicodeCMap() const;

  std::filesystem::path path_;
  std::filesystem::path temp_;
  WriterOptions options_;
  std::ofstream out_;
  std::uint64_t written_ = 0;
  std::vector<std::uint64_t> offsets_;  // by object number - 1; 0 while not yet written
  std::vector<int> page_objects_;
  std::vector<std::uint32_t> astral_;  // code points outside the BMP, by CID - 0xD800
  int pages_object_ = 0;
  int font_object_ = 0;
  int to_unicode_object_ = 0;
  bool failed_ = false;
  bool finished_ = false;
};

// The line's text without the spaces Tesseract puts between Japanese characters: a run of ASCII
// spaces is dropped when a neighbour is Japanese (kana, kanji, full-width forms, CJK
// punctuation), kept between Latin words ("CEA 5.2").
std::string JoinJapaneseWords(std::string_view utf8);

}  // namespace intake::pdf
