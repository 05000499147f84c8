#include "pdf/searchable_pdf.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <system_error>

#include "pipeline/utf8.h"

namespace intake::pdf {
namespace {

namespace fs = std::filesystem;

// The glyphless font's glyphs are half an em wide (PDF widths are in 1/1000 em).
constexpr int kGlyphWidth = 500;
constexpr std::uint32_t kReplacement = 0xFFFD;
constexpr std::uint32_t kFirstAstralCid = 0xD800;  // surrogates: never a BMP character
constexpr std::size_t kMaxAstralCids = 0xE000 - kFirstAstralCid;

// Decodes UTF-8 into code points; invalid sequences become U+FFFD.
std::vector<std::uint32_t> DecodeUtf8(std::string_view s) {
  std::vector<std::uint32_t> out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    int length = 0;
    std::uint32_t cp = 0;
    if (b < 0x80) {
      length = 1;
      cp = b;
    } else if ((b & 0xE0) == 0xC0) {
      length = 2;
      cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      length = 3;
      cp = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      length = 4;
      cp = b & 0x07;
    }
    bool valid = length > 0 && i + length <= s.size();
    for (int k = 1; valid && k < length; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) valid = false;
      cp = (cp << 6) | (c & 0x3F);
    }
    if (valid) {
      static constexpr std::uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
      valid = cp >= kMinimum[length] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    }
    if (!valid) {
      out.push_back(kReplacement);
      ++i;
      continue;
    }
    out.push_back(cp);
    i += length;
  }
  return out;
}

// Characters that Japanese text runs together without spaces.
bool IsJapanese(std::uint32_t cp) {
  return (cp >= 0x2E80 && cp <= 0x2FDF) ||  // CJK radicals
         (cp >= 0x3000 && cp <= 0x30FF) ||  // CJK punctuation, hiragana, katakana
         (cp >= 0x31F0 && cp <= 0x31FF) ||  // katakana extensions
         (cp >= 0x3200 && cp <= 0x33FF) ||  // enclosed letters, era ligatures (㍻)
         (cp >= 0x3400 && cp <= 0x4DBF) ||  // CJK extension A
         (cp >= 0x4E00 && cp <= 0x9FFF) ||  // CJK unified ideographs
         (cp >= 0xF900 && cp <= 0xFAFF) ||  // CJK compatibility ideographs
         (cp >= 0xFE30 && cp <= 0xFE4F) ||  // CJK compatibility forms
         (cp >= 0xFF00 && cp <= 0xFFEF) ||  // full-width and half-width forms
         (cp >= 0x20000 && cp <= 0x3FFFF);  // CJK extensions B and later
}

std::string Number(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", value);
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return s;
}

std::string Hex4(std::uint32_t value) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04X", static_cast<unsigned>(value & 0xFFFF));
  return buf;
}

std::string Deflate(std::string_view data) {
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  std::string out(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                reinterpret_cast<const Bytef*>(data.data()), static_cast<uLong>(data.size()),
                Z_DEFAULT_COMPRESSION) != Z_OK) {
    return {};
  }
  out.resize(size);
  return out;
}

std::uint32_t BigEndian32(std::string_view b, std::size_t at) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) << 24) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 16) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 2])) << 8) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 3]));
}

int BigEndian16(std::string_view b, std::size_t at) {
  return (static_cast<unsigned char>(b[at]) << 8) | static_cast<unsigned char>(b[at + 1]);
}

Result<ImageInfo> InspectJpeg(std::string_view b) {
  using R = Result<ImageInfo>;
  if (b.size() < 4 || static_cast<unsigned char>(b[0]) != 0xFF ||
      static_cast<unsigned char>(b[1]) != 0xD8) {
    return R::Fail("not a JPEG image");
  }
  std::size_t at = 2;
  while (at + 4 <= b.size()) {
    if (static_cast<unsigned char>(b[at]) != 0xFF) return R::Fail("JPEG marker expected");
    const auto marker = static_cast<unsigned char>(b[at + 1]);
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    if (marker == 0xD9 || marker == 0xDA) break;  // end of image, start of scan
    const int length = BigEndian16(b, at + 2);
    if (length < 2 || at + 2 + length > b.size()) return R::Fail("JPEG segment is truncated");
    const bool start_of_frame =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (start_of_frame) {
      if (length < 8) return R::Fail("JPEG frame header is truncated");
      ImageInfo info;
      info.bits_per_component = static_cast<unsigned char>(b[at + 4]);
      info.height = BigEndian16(b, at + 5);
      info.width = BigEndian16(b, at + 7);
      info.colours = static_cast<unsigned char>(b[at + 9]);
      if (info.bits_per_component != 8 || (info.colours != 1 && info.colours != 3) ||
          info.width <= 0 || info.height <= 0) {
        return R::Fail("JPEG is not 8-bit grey or RGB");
      }
      return info;
    }
    at += 2 + length;
  }
  return R::Fail("JPEG has no frame header");
}

Result<ImageInfo> InspectPng(std::string_view b) {
  using R = Result<ImageInfo>;
  static constexpr std::string_view kSignature("\x89PNG\r\n\x1a\n", 8);
  if (b.substr(0, 8) != kSignature) return R::Fail("not a PNG image");
  ImageInfo info;
  int colour_type = -1;
  bool seen_end = false;
  for (std::size_t at = 8; at + 12 <= b.size();) {
    const std::uint32_t length = BigEndian32(b, at);
    const std::string_view type = b.substr(at + 4, 4);
    if (length > b.size() - at - 12) return R::Fail("PNG chunk is truncated");
    const std::string_view data = b.substr(at + 8, length);
    if (type == "IHDR") {
      if (length < 13) return R::Fail("PNG header is truncated");
      info.width = static_cast<int>(BigEndian32(data, 0));
      info.height = static_cast<int>(BigEndian32(data, 4));
      info.bits_per_component = static_cast<unsigned char>(data[8]);
      colour_type = static_cast<unsigned char>(data[9]);
      if (data[12] != 0) return R::Fail("interlaced PNG");
    } else if (type == "PLTE") {
      info.palette = std::string(data);
    } else if (type == "IDAT") {
      info.flate_data.append(data);
    } else if (type == "IEND") {
      seen_end = true;
      break;
    }
    at += 12 + length;
  }
  if (!seen_end || info.flate_data.empty()) return R::Fail("PNG is truncated");
  if (info.width <= 0 || info.height <= 0) return R::Fail("PNG has no pixels");
  switch (colour_type) {
    case 0:  // grey
      info.colours = 1;
      if (info.bits_per_component > 8) return R::Fail("16-bit PNG");
      break;
    case 2:  // RGB
      info.colours = 3;
      if (info.bits_per_component != 8) return R::Fail("16-bit PNG");
      break;
    case 3:  // palette
      info.colours = 1;
      if (info.palette.empty() || info.palette.size() % 3 != 0) {
        return R::Fail("PNG palette is missing");
      }
      break;
    default:
      return R::Fail("PNG with transparency");
  }
  return info;
}

}  // namespace

std::string JoinJapaneseWords(std::string_view utf8) {
  const std::vector<std::uint32_t> cps = DecodeUtf8(utf8);
  std::string out;
  out.reserve(utf8.size());
  for (std::size_t i = 0; i < cps.size(); ++i) {
    if (cps[i] != ' ') {
      AppendUtf8(static_cast<char32_t>(cps[i]), out);
      continue;
    }
    std::size_t end = i;
    while (end < cps.size() && cps[end] == ' ') ++end;
    const bool japanese_before = i > 0 && IsJapanese(cps[i - 1]);
    const bool japanese_after = end < cps.size() && IsJapanese(cps[end]);
    if (!japanese_before && !japanese_after) out.append(end - i, ' ');
    i = end - 1;
  }
  return out;
}

Result<ImageInfo> InspectImage(const PageImage& image) {
  return image.codec == ImageCodec::kJpeg ? InspectJpeg(image.bytes) : InspectPng(image.bytes);
}

SearchablePdfWriter::SearchablePdfWriter(fs::path path, fs::path temp, WriterOptions options)
    : path_(std::move(path)), temp_(std::move(temp)), options_(std::move(options)) {}

SearchablePdfWriter::~SearchablePdfWriter() {
  if (finished_) return;
  out_.close();
  std::error_code ec;
  fs::remove(temp_, ec);
}

Result<std::unique_ptr<SearchablePdfWriter>> SearchablePdfWriter::Open(
    const fs::path& path, const WriterOptions& options) {
  using R = Result<std::unique_ptr<SearchablePdfWriter>>;
  fs::path temp = path;
  temp += ".tmp";
  std::unique_ptr<SearchablePdfWriter> writer(new SearchablePdfWriter(path, temp, options));
  writer->out_.open(temp, std::ios::binary | std::ios::trunc);
  if (!writer->out_) return R::Fail("could not create the PDF file");
  // Binary comment: tells transfer programs the file is not text.
  static constexpr std::string_view kHeader("%PDF-1.5\n%\xE2\xE3\xCF\xD3\n");
  writer->out_ << kHeader;
  writer->written_ += kHeader.size();
  writer->NewObject();  // 1: catalog, written by Finish()
  writer->pages_object_ = writer->NewObject();
  writer->WriteFonts();
  if (!writer->out_) return R::Fail("could not write the PDF file");
  return R(std::move(writer));
}

int SearchablePdfWriter::NewObject() {
  offsets_.push_back(0);
  return static_cast<int>(offsets_.size());
}

void SearchablePdfWriter::BeginObject(int number) {
  offsets_[number - 1] = written_;
  const std::string head = std::to_string(number) + " 0 obj\n";
  out_ << head;
  written_ += head.size();
}

void SearchablePdfWriter::WriteStream(int number, std::string_view dictionary_entries,
                                      std::string_view data) {
  BeginObject(number);
  const std::string head = "<< " + std::string(dictionary_entries) + " /Length " +
                           std::to_string(data.size()) + " >>\nstream\n";
  static constexpr std::string_view kTail = "\nendstream\nendobj\n";
  out_ << head;
  out_.write(data.data(), static_cast<std::streamsize>(data.size()));
  out_ << kTail;
  written_ += head.size() + data.size() + kTail.size();
}

// Type0 font (Identity-H) over a CIDFontType2 whose every CID draws glyph 1 of the glyphless
// font. The ToUnicode map is written by Finish(), once the characters outside the BMP are known.
void SearchablePdfWriter::WriteFonts() {
  font_object_ = NewObject();
  const int cid_font = NewObject();
  const int descriptor = NewObject();
  const int cid_to_gid = NewObject();
  to_unicode_object_ = NewObject();

  std::string font_program;
  if (std::ifstream in(options_.glyph_font, std::ios::binary); in) {
    font_program.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const int font_file = font_program.empty() ? 0 : NewObject();

  auto write_object = [this](int number, const std::string& body) {
    BeginObject(number);
    const std::string text = body + "\nendobj\n";
    out_ << text;
    written_ += text.size();
  };
  write_object(font_object_,
               "<< /Type /Font /Subtype /Type0 /BaseFont /GlyphLessFont"
               " /Encoding /Identity-H /DescendantFonts [" +
                   std::to_string(cid_font) + " 0 R] /ToUnicode " +
                   std::to_string(to_unicode_object_) + " 0 R >>");
  write_object(cid_font,
               "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /GlyphLessFont"
               " /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
               " /FontDescriptor " +
                   std::to_string(descriptor) + " 0 R /DW " + std::to_string(kGlyphWidth) +
                   " /CIDToGIDMap " + std::to_string(cid_to_gid) + " 0 R >>");
  std::string descriptor_body =
      "<< /Type /FontDescriptor /FontName /GlyphLessFont /Flags 5 /FontBBox [0 0 " +
      std::to_string(kGlyphWidth) +
      " 1000] /ItalicAngle 0 /Ascent 1000 /Descent 0 /CapHeight 1000 /StemV 80";
  if (font_file != 0) descriptor_body += " /FontFile2 " + std::to_string(font_file) + " 0 R";
  write_object(descriptor, descriptor_body + " >>");

  std::string map(2 * 65536, '\0');
  for (std::size_t cid = 0; cid < 65536; ++cid) map[2 * cid + 1] = 1;  // glyph 1, big-endian
  WriteStream(cid_to_gid, "/Filter /FlateDecode", Deflate(map));
  if (font_file != 0) {
    WriteStream(font_file, "/Length1 " + std::to_string(font_program.size()), font_program);
  }
}

std::string SearchablePdfWriter::EncodeText(std::string_view utf8) {
  std::string hex;
  for (std::uint32_t cp : DecodeUtf8(JoinJapaneseWords(utf8))) {
    if (cp < 0x20 || cp == 0x7F) continue;
    if (cp >= 0x10000) {
      auto it = std::find(astral_.begin(), astral_.end(), cp);
      if (it != astral_.end()) {
        cp = kFirstAstralCid + static_cast<std::uint32_t>(it - astral_.begin());
      } else if (astral_.size() < kMaxAstralCids) {
        astral_.push_back(cp);
        cp = kFirstAstralCid + static_cast<std::uint32_t>(astral_.size() - 1);
      } else {
        cp = kReplacement;
      }
    }
    hex += Hex4(cp);
  }
  return hex;
}

std::string SearchablePdfWriter::ToUnicodeCMap() const {
  std::string cmap =
      "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
      "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
      "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
      "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n";
  // Identity for the BMP, one range per high byte (a range may only vary in its last byte) and
  // at most 100 entries per block, skipping the surrogate block used for astral characters.
  std::vector<std::string> ranges;
  for (unsigned high = 0; high < 256; ++high) {
    if (high >= 0xD8 && high <= 0xDF) continue;
    const std::string low = Hex4(high << 8);
    ranges.push_back("<" + low + "> <" + Hex4((high << 8) | 0xFF) + "> <" + low + ">\n");
  }
  for (std::size_t i = 0; i < ranges.size(); i += 100) {
    const std::size_t n = std::min<std::size_t>(100, ranges.size() - i);
    cmap += std::to_string(n) + " beginbfrange\n";
    for (std::size_t k = 0; k < n; ++k) cmap += ranges[i + k];
    cmap += "endbfrange\n";
  }
  for (std::size_t i = 0; i < astral_.size(); i += 100) {
    const std::size_t n = std::min<std::size_t>(100, astral_.size() - i);
    cmap += std::to_string(n) + " beginbfchar\n";
    for (std::size_t k = 0; k < n; ++k) {
      const std::uint32_t v = astral_[i + k] - 0x10000;
      // Appended piece by piece: `"<" + Hex4(...)` trips GCC 12's -Wrestrict false positive
      // at -O3 (GCC bug 105329).
      cmap += '<';
      cmap += Hex4(kFirstAstralCid + static_cast<std::uint32_t>(i + k));
      cmap += "> <";
      cmap += Hex4(0xD800 + (v >> 10));
      cmap += Hex4(0xDC00 + (v & 0x3FF));
      cmap += ">\n";
    }
    cmap += "endbfchar\n";
  }
  cmap += "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
  return cmap;
}

namespace {

// The image XObject's dictionary entries (size, colour space, filter) for a page image.
std::string ImageEntries(const ImageInfo& info, ImageCodec codec) {
  std::string entries = "/Type /XObject /Subtype /Image /Width " + std::to_string(info.width) +
                        " /Height " + std::to_string(info.height) + " /BitsPerComponent " +
                        std::to_string(info.bits_per_component);
  std::string colour_space = info.colours == 3 ? "/DeviceRGB" : "/DeviceGray";
  if (!info.palette.empty()) {
    std::string hex;
    for (unsigned char ch : info.palette) {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%02X", ch);
      hex += buf;
    }
    colour_space =
        "[/Indexed /DeviceRGB " + std::to_string(info.palette.size() / 3 - 1) + " <" + hex + ">]";
  }
  entries += " /ColorSpace " + colour_space;
  if (codec == ImageCodec::kJpeg) return entries + " /Filter /DCTDecode";
  return entries + " /Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors " +
         std::to_string(info.palette.empty() ? info.colours : 1) + " /BitsPerComponent " +
         std::to_string(info.bits_per_component) + " /Columns " + std::to_string(info.width) +
         " >>";
}

// The operators that lay one line's invisible text (`hex`, four hex digits a glyph) over its box;
// `scale` is points per pixel, `height_pt` the page's height.
std::string TextLineOperators(const TextLine& line, const std::string& hex, double scale,
                              double height_pt) {
  const std::size_t glyph_count = hex.size() / 4;  // four hex digits a glyph
  const double glyphs = static_cast<double>(glyph_count);
  const double left = line.left * scale;
  if (line.vertical) {
    // Rotated a quarter clockwise: the baseline runs down the column's left edge and the
    // glyphs stand to its right, one column width high.
    const double size = line.width * scale;
    const double length = line.height * scale;
    const double top = height_pt - line.top * scale;
    return "/F0 " + Number(size) + " Tf\n" +
           Number(100.0 * length / (glyphs * size * kGlyphWidth / 1000.0)) + " Tz\n0 -1 1 0 " +
           Number(left) + " " + Number(top) + " Tm\n<" + hex + "> Tj\n";
  }
  const double size = line.height * scale;
  const double length = line.width * scale;
  const double bottom = height_pt - (line.top + line.height) * scale;
  return "/F0 " + Number(size) + " Tf\n" +
         Number(100.0 * length / (glyphs * size * kGlyphWidth / 1000.0)) + " Tz\n1 0 0 1 " +
         Number(left) + " " + Number(bottom) + " Tm\n<" + hex + "> Tj\n";
}

}  // namespace

Status SearchablePdfWriter::AddPage(const PageImage& image, const std::vector<TextLine>& lines) {
  if (failed_ || finished_) return Status::Fail("the PDF file can no longer be written");
  auto info = InspectImage(image);
  if (!info.ok()) return Status::Fail("page image cannot be embedded: " + info.message());
  const double dpi = image.dpi > 0 ? image.dpi : 300;
  const double scale = 72.0 / dpi;  // points per pixel
  const double width_pt = info->width * scale;
  const double height_pt = info->height * scale;

  const int image_object = NewObject();
  WriteStream(image_object, ImageEntries(*info, image.codec),
              image.codec == ImageCodec::kJpeg ? image.bytes : info->flate_data);

  // Content: the image over the whole page, then the invisible text.
  std::string content =
      "q\n" + Number(width_pt) + " 0 0 " + Number(height_pt) + " 0 0 cm\n/Im0 Do\nQ\nBT\n3 Tr\n";
  for (const TextLine& line : lines) {
    if (line.width <= 0 || line.height <= 0) continue;
    const std::string hex = EncodeText(line.text);
    if (hex.empty()) continue;
    content += TextLineOperators(line, hex, scale, height_pt);
  }
  content += "ET\n";
  const int content_object = NewObject();
  WriteStream(content_object, "/Filter /FlateDecode", Deflate(content));

  const int page_object = NewObject();
  BeginObject(page_object);
  const std::string page =
      "<< /Type /Page /Parent " + std::to_string(pages_object_) + " 0 R /MediaBox [0 0 " +
      Number(width_pt) + " " + Number(height_pt) + "] /Resources << /XObject << /Im0 " +
      std::to_string(image_object) + " 0 R >> /Font << /F0 " + std::to_string(font_object_) +
      " 0 R >> >> /Contents " + std::to_string(content_object) + " 0 R >>\nendobj\n";
  out_ << page;
  written_ += page.size();
  page_objects_.push_back(page_object);
  if (!out_) {
    failed_ = true;
    return Status::Fail("could not write the PDF file");
  }
  return Status::Ok();
}

Status SearchablePdfWriter::Finish() {
  if (finished_) return Status::Fail("the PDF file is already finished");
  if (failed_ || !out_) return Status::Fail("could not write the PDF file");
  if (page_objects_.empty()) return Status::Fail("a PDF file needs at least one page");

  WriteStream(to_unicode_object_, "/Filter /FlateDecode", Deflate(ToUnicodeCMap()));
  std::string kids;
  for (int object : page_objects_) kids += std::to_string(object) + " 0 R ";
  BeginObject(pages_object_);
  const std::string pages = "<< /Type /Pages /Kids [" + kids + "] /Count " +
                            std::to_string(page_objects_.size()) + " >>\nendobj\n";
  out_ << pages;
  written_ += pages.size();
  BeginObject(1);
  const std::string catalog =
      "<< /Type /Catalog /Pages " + std::to_string(pages_object_) + " 0 R >>\nendobj\n";
  out_ << catalog;
  written_ += catalog.size();
  const int info = NewObject();
  BeginObject(info);
  std::string producer;
  for (char ch : options_.producer) {
    if (ch == '(' || ch == ')' || ch == '\\') producer += '\\';
    producer += ch;
  }
  const std::string info_body = "<< /Producer (" + producer + ") >>\nendobj\n";
  out_ << info_body;
  written_ += info_body.size();

  const std::uint64_t xref = written_;
  std::string table = "xref\n0 " + std::to_string(offsets_.size() + 1) + "\n0000000000 65535 f \n";
  for (std::uint64_t offset : offsets_) {
    char entry[24];
    std::snprintf(entry, sizeof entry, "%010llu 00000 n \n",
                  static_cast<unsigned long long>(offset));
    table += entry;
  }
  table += "trailer\n<< /Size " + std::to_string(offsets_.size() + 1) + " /Root 1 0 R /Info " +
           std::to_string(info) + " 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  out_ << table;
  out_.flush();
  if (!out_) {
    failed_ = true;
    return Status::Fail("could not write the PDF file");
  }
  out_.close();
  if (!out_) {
    failed_ = true;
    return Status::Fail("could not write the PDF file");
  }
  std::error_code ec;
  fs::rename(temp_, path_, ec);
  if (ec) {
    failed_ = true;
    return Status::Fail("could not move the PDF file into place: " + ec.message());
  }
  finished_ = true;
  return Status::Ok();
}

}  // namespace intake::pdf
