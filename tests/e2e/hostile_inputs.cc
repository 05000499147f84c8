// Hostile and broken submissions through the real `intake process`, one test per input.
//
// Each test builds its input in a fresh folder (`in/`), runs intake into `out/` as a child
// process and checks what issue 7 promises: no crash (a normal exit, 0), the expected finding
// codes in report.json, the original submission unchanged, nothing written outside `out/`,
// bounded memory (the child's peak RSS), and a log without patient data (ASCII only). The table
// of what was tried and what intake did is written to <build>/hostile-inputs.md for the README.
//
// Usage (CTest runs it): intake-hostile-inputs --intake PATH [gtest flags]
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <leptonica/allheaders.h>
#include <locale.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../unit/pdf_bytes.h"
#include "dicom/synthetic_series.h"
#include "pipeline/hash.h"

extern char** environ;

namespace {

#ifdef INTAKE_SANITIZED
constexpr bool kSanitized = true;  // ASan's memory and pace: no RSS bounds, time bounds x5
constexpr double kSlowdown = 5;
#else
constexpr bool kSanitized = false;
constexpr double kSlowdown = 1;
#endif
// Entries of the zip whose names are all one: enough that naming them in quadratic time would
// show; under the sanitizers a tenth, since creating and removing 20,000 files took three minutes
// there (ext4 without a journal scans past the inodes freed in the last seconds on each create),
// most of the sanitizer suite's longest test, for memory checks 2,000 make as well.
constexpr int kDuplicateNames = kSanitized ? 2000 : 20000;

namespace fs = std::filesystem;
using nlohmann::json;

fs::path g_intake;  // set by main
std::vector<std::string> g_table_rows;

// ---------------------------------------------------------------------------------------------
// Input builders.

struct ArchiveEntry {
  std::string path;
  std::string content;       // file data, or the link target
  unsigned type = AE_IFREG;  // AE_IFREG, AE_IFLNK, AE_IFCHR
  bool hardlink = false;     // a hard link to `content`
  std::uint64_t zeros = 0;   // > 0: the entry is this many zero bytes (zip bomb)
};

// Writes a zip or tar with libarchive. `options` e.g. "zip:hdrcharset=CP932"; for a tar,
// "gzip" compresses it (fastest level).
void WriteArchive(const fs::path& out, const std::vector<ArchiveEntry>& entries, bool tar = false,
                  const std::string& options = "zip:hdrcharset=UTF-8",
                  const char* passphrase = nullptr) {
  locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  locale_t previous = uselocale(utf8);
  struct archive* a = archive_write_new();
  if (tar) {
    archive_write_set_format_pax_restricted(a);
    if (options == "gzip") {
      archive_write_add_filter_gzip(a);
      archive_write_set_options(a, "gzip:compression-level=1");
    }
  } else {
    archive_write_set_format_zip(a);
    archive_write_set_options(a, options.c_str());
  }
  if (passphrase) {
    archive_write_set_options(a, "zip:encryption=zipcrypt");
    archive_write_set_passphrase(a, passphrase);
  }
  archive_write_open_filename(a, out.c_str());
  const std::string chunk(1 << 20, '\0');
  for (const auto& e : entries) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.path.c_str());
    archive_entry_set_perm(entry, 0644);
    if (e.hardlink) {
      archive_entry_set_filetype(entry, AE_IFREG);
      archive_entry_set_hardlink(entry, e.content.c_str());
      archive_write_header(a, entry);
    } else if (e.type == AE_IFLNK) {
      archive_entry_set_filetype(entry, AE_IFLNK);
      archive_entry_set_symlink(entry, e.content.c_str());
      archive_write_header(a, entry);
    } else if (e.type == AE_IFCHR) {
      archive_entry_set_filetype(entry, AE_IFCHR);
      archive_entry_set_rdev(entry, makedev(1, 3));  // /dev/null's numbers
      archive_write_header(a, entry);
    } else {
      archive_entry_set_filetype(entry, AE_IFREG);
      const std::uint64_t size = e.zeros > 0 ? e.zeros : e.content.size();
      archive_entry_set_size(entry, static_cast<la_int64_t>(size));
      archive_write_header(a, entry);
      if (e.zeros > 0) {
        for (std::uint64_t done = 0; done < e.zeros; done += chunk.size())
          archive_write_data(a, chunk.data(),
                             std::min<std::uint64_t>(chunk.size(), e.zeros - done));
      } else {
        archive_write_data(a, e.content.data(), e.content.size());
      }
    }
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
  uselocale(previous);
  freelocale(utf8);
}

std::string ReadBytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void WriteBytes(const fs::path& p, const std::string& bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

std::string Be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

// A PNG chunk with its CRC.
std::string PngChunk(const std::string& type, const std::string& data) {
  const std::string body = type + data;
  const auto crc =
      crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()));
  return Be32(static_cast<std::uint32_t>(data.size())) + body +
         Be32(static_cast<std::uint32_t>(crc));
}

// A valid PNG signature and header declaring width x height (8-bit grey) with almost no data:
// a decompression bomb if a reader trusts the header.
std::string HugePng(std::uint32_t width, std::uint32_t height) {
  std::string ihdr = Be32(width) + Be32(height) + std::string("\x08\x00\x00\x00\x00", 5);
  std::string idat(32, '\0');
  uLongf len = static_cast<uLongf>(idat.size());
  const std::string row(64, '\0');
  compress(reinterpret_cast<Bytef*>(idat.data()), &len, reinterpret_cast<const Bytef*>(row.data()),
           static_cast<uLong>(row.size()));
  idat.resize(len);
  return std::string("\x89PNG\r\n\x1a\n", 8) + PngChunk("IHDR", ihdr) + PngChunk("IDAT", idat) +
         PngChunk("IEND", "");
}

// A whole, valid PNG of `side` x `side` RGBA pixels, all zero: about 800 MB decoded at 14,142
// (inside the pixel limit) from under a megabyte. Deflated a row at a time.
std::string ZeroRgbaPng(std::uint32_t side) {
  std::string ihdr = Be32(side) + Be32(side) + std::string("\x08\x06\x00\x00\x00", 5);
  z_stream z{};
  deflateInit(&z, Z_BEST_SPEED);
  std::string idat;
  std::string row(1 + std::size_t{side} * 4, '\0');  // filter byte, then RGBA
  std::string out(1 << 16, '\0');
  for (std::uint32_t y = 0; y <= side; ++y) {
    const bool last = y == side;
    z.next_in = reinterpret_cast<Bytef*>(row.data());
    z.avail_in = last ? 0 : static_cast<uInt>(row.size());
    do {
      z.next_out = reinterpret_cast<Bytef*>(out.data());
      z.avail_out = static_cast<uInt>(out.size());
      deflate(&z, last ? Z_FINISH : Z_NO_FLUSH);
      idat.append(out.data(), out.size() - z.avail_out);
    } while (z.avail_out == 0);
  }
  deflateEnd(&z);
  return std::string("\x89PNG\r\n\x1a\n", 8) + PngChunk("IHDR", ihdr) + PngChunk("IDAT", idat) +
         PngChunk("IEND", "");
}

// A little-endian TIFF whose one IFD declares width x height, 1 bit, G4, one tiny strip.
std::string HugeTiff(std::uint32_t width, std::uint32_t height) {
  auto le16 = [](std::uint16_t v) {
    return std::string{static_cast<char>(v), static_cast<char>(v >> 8)};
  };
  auto le32 = [&](std::uint32_t v) {
    return le16(static_cast<std::uint16_t>(v)) + le16(static_cast<std::uint16_t>(v >> 16));
  };
  auto entry = [&](std::uint16_t tag, std::uint16_t type, std::uint32_t value) {
    return le16(tag) + le16(type) + le32(1) +
           (type == 3 ? le16(static_cast<std::uint16_t>(value)) + le16(0) : le32(value));
  };
  const std::uint32_t strip_offset = 8 + 2 + 9 * 12 + 4;
  std::string tiff = "II*" + std::string(1, '\0') + le32(8) + le16(9);
  tiff += entry(256, 4, width) + entry(257, 4, height) + entry(258, 3, 1) + entry(259, 3, 4) +
          entry(262, 3, 0) + entry(273, 4, strip_offset) + entry(277, 3, 1) +
          entry(278, 4, height) + entry(279, 4, 16);
  tiff += le32(0) + std::string(16, '\0');
  return tiff;
}

// A little-endian TIFF of `frames` frames of 1 x 1 grey pixel, one IFD each, chained.
std::string TinyFramesTiff(int frames) {
  auto le16 = [](std::uint32_t v) {
    return std::string{static_cast<char>(v), static_cast<char>(v >> 8)};
  };
  auto le32 = [&](std::uint32_t v) { return le16(v & 0xFFFF) + le16(v >> 16); };
  auto entry = [&](std::uint16_t tag, std::uint16_t type, std::uint32_t value) {
    return le16(tag) + le16(type) + le32(1) + (type == 3 ? le16(value) + le16(0) : le32(value));
  };
  constexpr std::uint32_t kIfd = 2 + 8 * 12 + 4;  // then one pixel and a pad byte
  std::string tiff = "II*" + std::string(1, '\0') + le32(8);
  for (int i = 0; i < frames; ++i) {
    const auto at = static_cast<std::uint32_t>(tiff.size());
    const std::uint32_t next = i + 1 < frames ? at + kIfd + 2 : 0;
    tiff += le16(8) + entry(256, 3, 1) + entry(257, 3, 1) + entry(258, 3, 8) + entry(259, 3, 1) +
            entry(262, 3, 1) + entry(273, 4, at + kIfd) + entry(278, 3, 1) + entry(279, 4, 1) +
            le32(next) + std::string(2, '\0');
  }
  return tiff;
}

// A real JPEG (Leptonica) of a grey page, cut to `keep` of its length when keep < 1.
std::string Jpeg(double keep = 1.0) {
  Pix* pix = pixCreate(1240, 1754, 8);
  pixSetAllArbitrary(pix, 230);
  l_uint8* data = nullptr;
  size_t size = 0;
  pixWriteMemJpeg(&data, &size, pix, 75, 0);
  pixDestroy(&pix);
  std::string bytes(reinterpret_cast<const char*>(data), size);
  lept_free(data);
  bytes.resize(static_cast<std::size_t>(static_cast<double>(bytes.size()) * keep));
  return bytes;
}

// A minimal PDF with a standard security handler and a non-empty user password (locked).
std::string LockedPdf() {
  return intake::testing::PdfBytes(
      {"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
       "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
       "<< /Filter /Standard /V 1 /R 2 /P -44 /O <" + std::string(64, 'a') + "> /U <" +
           std::string(64, 'b') + "> >>"},
      " /Encrypt 4 0 R /ID [<" + std::string(32, 'c') + "> <" + std::string(32, 'c') + ">]");
}

// An explicit VR little endian DICOM file whose Content Sequence nests `depth` levels deep
// (undefined lengths), as bytes: DCMTK cannot write what it cannot read.
std::string DeepDicom(int depth) {
  auto le16 = [](std::uint32_t v) {
    return std::string{static_cast<char>(v), static_cast<char>(v >> 8)};
  };
  auto le32 = [&](std::uint32_t v) { return le16(v & 0xFFFF) + le16(v >> 16); };
  auto tag = [&](std::uint32_t g, std::uint32_t e) { return le16(g) + le16(e); };
  auto ui = [&](std::uint32_t g, std::uint32_t e, std::string uid) {
    if (uid.size() % 2) uid.push_back('\0');
    return tag(g, e) + "UI" + le16(static_cast<std::uint32_t>(uid.size())) + uid;
  };
  const std::string meta = ui(2, 2, "1.2.840.10008.5.1.4.1.1.7") +
                           ui(2, 3, "1.2.392.200036.9999.1.1") + ui(2, 0x10, "1.2.840.10008.1.2.1");
  std::string bytes =
      std::string(128, '\0') + "DICM" + tag(2, 0) + "UL" + le16(4) +
      le32(static_cast<std::uint32_t>(meta.size())) + meta +
      ui(8, 0x16, "1.2.840.10008.5.1.4.1.1.7") + ui(8, 0x18, "1.2.392.200036.9999.1.1") +
      ui(0x20, 0x0D, "1.2.392.200036.9999.1") + ui(0x20, 0x0E, "1.2.392.200036.9999.1.2");
  const std::string open = tag(0x40, 0xA730) + "SQ" + le16(0) + le32(0xFFFFFFFFu) +
                           tag(0xFFFE, 0xE000) + le32(0xFFFFFFFFu);
  const std::string close = tag(0xFFFE, 0xE00D) + le32(0) + tag(0xFFFE, 0xE0DD) + le32(0);
  bytes.reserve(bytes.size() + static_cast<std::size_t>(depth) * (open.size() + close.size()));
  for (int i = 0; i < depth; ++i) bytes += open;
  for (int i = 0; i < depth; ++i) bytes += close;
  return bytes;
}

std::vector<fs::path> SyntheticDisc(const fs::path& root) {
  intake::dicom::SyntheticSeriesSpec spec;
  spec.patient_name = "HOSTILE^TEST";
  spec.patient_id = "H0001";
  spec.patient_birth_date = "19700101";
  spec.patient_sex = "O";
  spec.study_date = "20261101";
  spec.slices = 3;
  spec.uid_seed = "hostile";
  auto written = intake::dicom::WriteSyntheticDisc(root, spec);
  return written.ok() ? *written : std::vector<fs::path>{};
}

// ---------------------------------------------------------------------------------------------
// The cases.

struct HostileCase {
  std::string name;                                  // test name
  std::string tried;                                 // README: the input
  std::function<fs::path(const fs::path& in)> make;  // builds the submission, returns its path
  std::vector<std::string> codes;                    // finding codes that must be in report.json
  std::string verdict;                               // expected verdict, or empty for any
  // Extra checks on report.json (and the case folder); returns "" or what is wrong.
  std::function<std::string(const json& report, const fs::path& case_dir)> check;
  std::string does;  // README: what intake does (besides the codes)
  // Run intake as `nobody` (permissions apply under a root CI); the builder opens what it must.
  bool unprivileged = false;
  double max_seconds = 0;  // > 0: the run must end sooner (a quadratic step would not)
  long max_rss_mib = 0;    // > 0: the child's peak RSS must stay below
};

// Lets `nobody` read (and list) everything below `p`.
void OpenToOthers(const fs::path& p) {
  const auto add = fs::perm_options::add;
  fs::permissions(p, fs::perms::others_read | fs::perms::others_exec, add);
  for (const auto& e : fs::recursive_directory_iterator(p)) {
    fs::permissions(
        e.path(),
        e.is_directory() ? fs::perms::others_read | fs::perms::others_exec : fs::perms::others_read,
        add);
  }
}

// "" when the file ending in `path_suffix` has the kind `kind` and a page read by OCR without a
// CORRUPT_FILE finding on it; else what is wrong.
std::string ReadAsPhoto(const json& report, const std::string& path_suffix,
                        const std::string& kind) {
  std::string id;
  for (const auto& f : report.at("submission").at("files")) {
    const std::string p = f.value("path", "");
    if (p.size() >= path_suffix.size() &&
        p.compare(p.size() - path_suffix.size(), path_suffix.size(), path_suffix) == 0) {
      if (f.value("kind", "") != kind) return path_suffix + " is not identified as " + kind;
      id = f.value("id", "");
    }
  }
  if (id.empty()) return path_suffix + " is not listed";
  for (const auto& f : report.at("findings"))
    if (f["file"] == id && f.value("code", "") != "LOW_OCR_CONFIDENCE")
      return path_suffix + " has finding " + f.value("code", "");
  for (const auto& page : report.at("pages"))
    if (page.value("file", "") == id && page.value("text_source", "") == "ocr") return "";
  return path_suffix + " has no page read";
}

// A grey A5-like page (800 x 1100) with a few black bars, written by Leptonica in `format`.
std::string PageImage(int format) {
  Pix* pix = pixCreate(800, 1100, 8);
  pixSetAllArbitrary(pix, 255);
  for (int y = 100; y < 1000; y += 60) pixRasterop(pix, 80, y, 600, 20, PIX_CLR, nullptr, 0, 0);
  l_uint8* data = nullptr;
  size_t size = 0;
  pixWriteMem(&data, &size, pix, format);
  pixDestroy(&pix);
  std::string bytes(reinterpret_cast<const char*>(data), size);
  lept_free(data);
  return bytes;
}

// An 800 x 1100 8-bit BMP compressed with RLE8 (Leptonica reads only uncompressed BMP): white
// with black bars.
std::string Rle8Bmp() {
  auto le16 = [](std::uint32_t v) {
    return std::string{static_cast<char>(v), static_cast<char>(v >> 8)};
  };
  auto le32 = [&](std::uint32_t v) { return le16(v & 0xFFFF) + le16(v >> 16); };
  const int width = 800;
  const int height = 1100;
  std::string pixels;
  for (int y = 0; y < height; ++y) {
    const bool bar = (y % 60) < 20 && y >= 100 && y < 1000;
    for (int left = width; left > 0; left -= 200) {
      pixels += static_cast<char>(200);
      pixels += static_cast<char>(bar && left < width && left > 200 ? 0 : 1);  // palette index
    }
    pixels += std::string("\0\0", 2);  // end of line
  }
  pixels += std::string("\0\1", 2);  // end of bitmap
  std::string palette;
  for (int i = 0; i < 256; ++i)
    palette += i == 0 ? std::string(4, '\0') : std::string("\xff\xff\xff\0", 4);
  const std::uint32_t offset = 14 + 40 + static_cast<std::uint32_t>(palette.size());
  std::string info = le32(40) + le32(width) + le32(height) + le16(1) + le16(8) + le32(1) +
                     le32(static_cast<std::uint32_t>(pixels.size())) + le32(2835) + le32(2835) +
                     le32(256) + le32(0);
  return "BM" + le32(offset + static_cast<std::uint32_t>(pixels.size())) + le32(0) + le32(offset) +
         info + palette + pixels;
}

// A PDF of one page drawing a grey JPEG whose entropy-coded data is overwritten in its middle;
// `content` places it (Im0) on the page.
std::string PdfWithCorruptJpeg(const std::string& content) {
  std::string jpeg = PageImage(IFF_JFIF_JPEG);
  for (std::size_t i = jpeg.size() / 2; i < jpeg.size() / 2 + 64 && i + 2 < jpeg.size(); ++i)
    jpeg[i] = static_cast<char>(i % 3 == 0 ? 0xFF : 0xD4 + i % 3);
  const std::string image =
      "<< /Type /XObject /Subtype /Image /Width 800 /Height 1100 "
      "/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode "
      "/Length " +
      std::to_string(jpeg.size()) + " >>\nstream\n" + jpeg + "\nendstream";
  return intake::testing::PdfBytes(
      {"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
       "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 576 792] /Resources << /XObject << /Im0 4 "
       "0 R >> >> /Contents 5 0 R >>",
       image, intake::testing::Stream(content)});
}

// One A4 page that is one full-page grey JPEG (as a scanner writes it), the JPEG corrupt.
std::string ScanPdfWithCorruptJpeg() {
  return PdfWithCorruptJpeg("q 576 0 0 792 0 0 cm /Im0 Do Q");
}

// A PDF of one page that draws one image declaring 100,000 x 100,000 grey pixels, with a few
// bytes of Flate data: 1.7 KB that Poppler would spend minutes and gigabytes drawing.
std::string PdfWithHugeImage() {
  std::string data(64, '\0');
  uLongf len = static_cast<uLongf>(data.size());
  const std::string row(256, '\0');
  compress(reinterpret_cast<Bytef*>(data.data()), &len, reinterpret_cast<const Bytef*>(row.data()),
           static_cast<uLong>(row.size()));
  data.resize(len);
  const std::string image =
      "<< /Type /XObject /Subtype /Image /Width 100000 /Height 100000 /ColorSpace /DeviceGray "
      "/BitsPerComponent 8 /Filter /FlateDecode /Length " +
      std::to_string(data.size()) + " >>\nstream\n" + data + "\nendstream";
  return intake::testing::PdfBytes(
      {"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
       "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 4 "
       "0 R >> >> /Contents 5 0 R >>",
       image, intake::testing::Stream("q 595 0 0 842 0 0 cm /Im0 Do Q")});
}

// A PDF of one A4 page without text whose content fills the whole page `fills` times with a
// curved shape (Flate-compressed: a few KB): each fill is cheap to state and costs Poppler a pass
// over every pixel of the page, so drawing it at 300 dpi takes many minutes.
std::string PdfSlowToDraw(int fills) {
  std::string content;
  for (int i = 0; i < fills; ++i) {
    content += "0." + std::to_string(i % 10) +
               " g 0 0 m 600 0 300 900 595 842 c 0 842 l 300 400 l 0 0 l f\n";
  }
  std::string packed(compressBound(static_cast<uLong>(content.size())), '\0');
  uLongf length = static_cast<uLongf>(packed.size());
  compress2(reinterpret_cast<Bytef*>(packed.data()), &length,
            reinterpret_cast<const Bytef*>(content.data()), static_cast<uLong>(content.size()), 9);
  packed.resize(length);
  return intake::testing::PdfBytes(
      {"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
       "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
       "<< /Length " + std::to_string(packed.size()) + " /Filter /FlateDecode >>\nstream\n" +
           packed + "\nendstream"});
}

// A PDF page Poppler must draw (the JPEG covers only part of it, beside a line of vector
// graphics) whose embedded JPEG is corrupt: Poppler's DCTStream lets libjpeg print its warnings.
std::string DrawnPdfWithCorruptJpeg() {
  return PdfWithCorruptJpeg("q 400 0 0 550 50 200 cm /Im0 Do Q 2 w 50 100 m 500 100 l S");
}

// A grey page image with a band of noise, as JPEG at `quality`: at a low quality the file is
// small, and the page kept after reading (JPEG quality 75) several times larger.
std::string NoisyPageJpeg(int quality) {
  Pix* pix = pixCreate(1240, 1754, 8);
  pixSetAllArbitrary(pix, 255);
  std::uint32_t x = 12345;
  for (int y = 200; y < 1000; ++y)
    for (int col = 100; col < 1140; ++col)
      pixSetPixel(pix, col, y, (x = x * 1103515245u + 12345u) >> 24);
  l_uint8* data = nullptr;
  size_t size = 0;
  pixWriteMemJpeg(&data, &size, pix, quality, 0);
  pixDestroy(&pix);
  std::string bytes(reinterpret_cast<const char*>(data), size);
  lept_free(data);
  return bytes;
}

// Runs `command` (a tool from Debian's packages that makes a test input); false when it fails.
bool Made(const std::string& command) {
  return std::system((command + " > /dev/null 2>&1").c_str()) == 0;
}

int CountFiles(const json& report, const std::string& path) {
  int n = 0;
  for (const auto& f : report.at("submission").at("files")) n += f.value("path", "") == path;
  return n;
}

bool HasFile(const json& report, const std::string& path_suffix, const std::string& kind = "") {
  for (const auto& f : report.at("submission").at("files")) {
    const std::string p = f.value("path", "");
    if (p.size() >= path_suffix.size() &&
        p.compare(p.size() - path_suffix.size(), path_suffix.size(), path_suffix) == 0 &&
        (kind.empty() || f.value("kind", "") == kind))
      return true;
  }
  return false;
}

const std::string kEscape = "intake_hostile_escape.txt";

// Issue 19: one entry must not fail the whole case; nothing dropped without a word.
void AddRoundTwoCases(std::vector<HostileCase>& cases) {
  cases.push_back({"FileAndFolderSameName",
                   "zip holding a file `x` and a folder `x/`",
                   [](const fs::path& in) {
                     WriteArchive(in / "x.zip", {{"x", "file"}, {"x/y.txt", "inside"}});
                     return in / "x.zip";
                   },
                   {},
                   "",
                   [](const json& r, const fs::path&) -> std::string {
                     return CountFiles(r, "x.zip/x") == 1 && CountFiles(r, "x.zip/x/y.txt") == 1
                                ? ""
                                : "both entries must be kept";
                   },
                   "both extracted and listed (the folder as `x~2/` in the work area)"});
  cases.push_back({"LongNameTwice",
                   "zip with one 255-byte name twice",
                   [](const fs::path& in) {
                     const std::string name = std::string(251, 'n') + ".txt";
                     WriteArchive(in / "long.zip", {{name, "first"}, {name, "second"}});
                     return in / "long.zip";
                   },
                   {},
                   "",
                   [](const json& r, const fs::path&) -> std::string {
                     return CountFiles(r, "long.zip/" + std::string(251, 'n') + ".txt") == 2
                                ? ""
                                : "both copies must be kept";
                   },
                   "both kept (the second's name cut to fit `~2` in 255 bytes)"});
  cases.push_back({"TarPathOver4K",
                   "tar entry whose path is over 4 KB (20 folders of 250 bytes)",
                   [](const fs::path& in) {
                     std::string path;
                     for (int i = 0; i < 20; ++i) path += std::string(250, 'd') + "/";
                     WriteArchive(in / "deep.tar", {{path + "a.txt", "x"}, {"ok.txt", "y"}}, true);
                     return in / "deep.tar";
                   },
                   {"UNSAFE_PATH"},
                   "",
                   [](const json& r, const fs::path&) -> std::string {
                     return HasFile(r, "deep.tar/ok.txt") ? "" : "the other entry must be kept";
                   },
                   "that entry skipped, the rest extracted"});
  cases.push_back({"DeepFolderOriginal",
                   "folder whose copy under `11_原本/` would pass PATH_MAX",
                   [](const fs::path& in) {
                     // The file's own path just under PATH_MAX; its copy, some 30 bytes longer
                     // (out/<case>/11_原本/), over it.
                     fs::path deep = in / "sub";
                     const std::size_t length = 4090 - std::string("/a.txt").size();
                     while (deep.native().size() + 252 < length) deep /= std::string(250, 'd');
                     deep /= std::string(length - deep.native().size() - 1, 'e');
                     WriteBytes(deep / "a.txt", "x");
                     WriteBytes(in / "sub/ok.txt", "y");
                     return in / "sub";
                   },
                   {"UNSAFE_PATH"},
                   "",
                   [](const json& r, const fs::path&) -> std::string {
                     return HasFile(r, "/a.txt") && HasFile(r, "ok.txt")
                                ? ""
                                : "both files must be read";
                   },
                   "the deep file is read but not copied into `11_原本/`; the rest kept"});
  cases.push_back({"UnreadableFileInFolder",
                   "folder with one file its reader may not open (permissions)",
                   [](const fs::path& in) {
                     WriteBytes(in / "sub/secret.pdf", LockedPdf());
                     WriteBytes(in / "sub/ok.txt", "y");
                     OpenToOthers(in);
                     fs::permissions(in / "sub/secret.pdf",
                                     fs::perms::owner_read | fs::perms::owner_write);
                     return in / "sub";
                   },
                   {"CORRUPT_FILE"},
                   "",
                   [](const json& r, const fs::path&) -> std::string {
                     return HasFile(r, "ok.txt") ? "" : "the readable file must be read";
                   },
                   "a finding naming the file; the rest read",
                   true});
  cases.push_back({"UnreadableSubfolder",
                   "folder with a sub-folder its reader may not list (permissions)",
                   [](const fs::path& in) {
                     WriteBytes(in / "sub/closed/a.pdf", LockedPdf());
                     WriteBytes(in / "sub/ok.txt", "y");
                     OpenToOthers(in);
                     fs::permissions(in / "sub/closed", fs::perms::owner_all);
                     return in / "sub";
                   },
                   {"CORRUPT_FILE"},
                   "",
                   [](const json& r, const fs::path&) -> std::string {
                     return HasFile(r, "ok.txt") ? "" : "the readable file must be read";
                   },
                   "a finding naming the folder; the rest read",
                   true});
  cases.push_back({"FifoAndSocket",
                   "folder holding a FIFO and a Unix socket",
                   [](const fs::path& in) {
                     WriteBytes(in / "sub/ok.txt", "y");
                     mkfifo((in / "sub/pipe.pdf").c_str(), 0644);
                     const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
                     sockaddr_un addr{};
                     addr.sun_family = AF_UNIX;
                     const std::string sock = (in / "sub/sock.pdf").string();
                     std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock.c_str());
                     bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
                     close(fd);
                     return in / "sub";
                   },
                   {"UNSAFE_PATH"},
                   "",
                   [](const json& r, const fs::path&) -> std::string {
                     return HasFile(r, "ok.txt") ? "" : "the readable file must be read";
                   },
                   "neither opened; a finding naming each"});
  cases.push_back({"ZeroBytePdf",
                   "folder holding a 0-byte `.pdf`",
                   [](const fs::path& in) {
                     WriteBytes(in / "sub/紹介状.pdf", "");
                     WriteBytes(in / "sub/ok.txt", "y");
                     return in / "sub";
                   },
                   {"CORRUPT_FILE"},
                   "",
                   nullptr,
                   "a finding naming the empty file"});
  cases.push_back({"EncryptedHeaders7z",
                   "7z whose headers are encrypted (`7z a -p -mhe=on`)",
                   [](const fs::path& in) -> fs::path {
                     WriteBytes(in.parent_path() / "src/紹介状.pdf", LockedPdf());
                     const std::string command = "cd '" + (in.parent_path() / "src").string() +
                                                 "' && 7z a -bd -psecret -mhe=on '" +
                                                 (in / "secret.7z").string() +
                                                 "' . > /dev/null 2>&1";
                     if (std::system(command.c_str()) != 0) return {};  // no 7z: skipped
                     return in / "secret.7z";
                   },
                   {"ENCRYPTED_ARCHIVE"},
                   "rejected",
                   [](const json& r, const fs::path&) -> std::string {
                     for (const auto& f : r["findings"])
                       if (f.value("code", "") == "CORRUPT_FILE") return "called corrupt";
                     return "";
                   },
                   "not called `CORRUPT_FILE`"});
  cases.push_back({"Rle8Bmp",
                   "a valid BMP compressed with RLE8",
                   [](const fs::path& in) {
                     WriteBytes(in / "scan/page.bmp", Rle8Bmp());
                     return in / "scan";
                   },
                   {},
                   "",
                   [](const json& r, const fs::path&) { return ReadAsPhoto(r, "page.bmp", "bmp"); },
                   "read (gdk-pixbuf decodes what Leptonica refuses), not called `CORRUPT_FILE`"});
  cases.push_back(
      {"IphoneHeic",
       "an iPhone's HEIC photo of a page (made with `heif-enc`)",
       [](const fs::path& in) -> fs::path {
         WriteBytes(in.parent_path() / "page.png", PageImage(IFF_PNG));
         fs::create_directories(in / "scan");
         if (!Made("heif-enc -q 60 '" + (in.parent_path() / "page.png").string() + "' -o '" +
                   (in / "scan/IMG_0001.HEIC").string() + "'"))
           return {};
         return in / "scan";
       },
       {},
       "",
       [](const json& r, const fs::path&) { return ReadAsPhoto(r, "IMG_0001.HEIC", "heif"); },
       "read like a JPEG (libheif, the turn the phone recorded applied)"});
  cases.push_back({"OtherPhotoFormats",
                   "WebP, AVIF, JPEG 2000 and PGM photos of a page, and a Photoshop file",
                   [](const fs::path& in) -> fs::path {
                     WriteBytes(in / "scan/a.webp", PageImage(IFF_WEBP));
                     WriteBytes(in / "scan/b.jp2", PageImage(IFF_JP2));
                     WriteBytes(in / "scan/c.pgm", PageImage(IFF_PNM));
                     // A Photoshop header: 3 channels of 8 bits, 800 x 1100.
                     WriteBytes(in / "scan/e.psd",
                                std::string("8BPS\0\1\0\0\0\0\0\0\0\3\0\0\x04\x4c\0\0\x03"
                                            "\x20\0\x08\0\x03",
                                            26));
                     WriteBytes(in.parent_path() / "page.png", PageImage(IFF_PNG));
                     if (!Made("heif-enc -A '" + (in.parent_path() / "page.png").string() +
                               "' -o '" + (in / "scan/d.avif").string() + "'"))
                       return {};
                     return in / "scan";
                   },
                   {"UNSUPPORTED_FILE"},
                   "",
                   [](const json& r, const fs::path&) -> std::string {
                     for (const auto& [name, kind] :
                          std::vector<std::pair<std::string, std::string>>{{"a.webp", "webp"},
                                                                           {"b.jp2", "jpeg2000"},
                                                                           {"c.pgm", "pnm"},
                                                                           {"d.avif", "heif"}}) {
                       if (auto problem = ReadAsPhoto(r, name, kind); !problem.empty())
                         return problem;
                     }
                     for (const auto& f : r["findings"])
                       if (f.value("code", "") == "UNSUPPORTED_FILE" &&
                           f.value("message", "").find("e.psd") != std::string::npos)
                         return "";
                     return "UNSUPPORTED_FILE must name e.psd";
                   },
                   "WebP, JPEG 2000, PGM read by Leptonica, AVIF by libheif; the Photoshop file "
                   "named in `UNSUPPORTED_FILE`"});
  cases.push_back({"PdfWithCorruptJpeg",
                   "scanned PDF page whose embedded JPEG is corrupt",
                   [](const fs::path& in) {
                     WriteBytes(in / "scan/紹介状.pdf", ScanPdfWithCorruptJpeg());
                     return in / "scan";
                   },
                   {"CORRUPT_FILE"},
                   "",
                   nullptr,
                   "read as far as it goes; the page is said to be damaged"});
  cases.push_back({"PngRgbaBomb",
                   "a whole 14,142 × 14,142 RGBA PNG (inside the pixel limit, ~800 MB decoded)",
                   [](const fs::path& in) {
                     WriteBytes(in / "scan/big.png", ZeroRgbaPng(14142));
                     return in / "scan";
                   },
                   {"CORRUPT_FILE"},
                   "",
                   nullptr,
                   "refused by its decoded size (at most 640 MiB an image, 1 GiB for all being "
                   "decoded at once), before decoding",
                   false,
                   0,
                   500});
  cases.push_back({"TiffOfTinyFrames",
                   "a 2 MB TIFF of 20,000 one-pixel frames",
                   [](const fs::path& in) {
                     WriteBytes(in / "scan/fax.tif", TinyFramesTiff(20000));
                     return in / "scan";
                   },
                   {"UNSUPPORTED_FILE"},
                   "",
                   nullptr,
                   "frames measured in one pass; frames too small for a page are counted, not "
                   "read as 20,000 pages",
                   false,
                   60});
  cases.push_back({"PdfHugeImage",
                   "1.7 KB PDF page declaring a 100,000 × 100,000 Flate image",
                   [](const fs::path& in) {
                     WriteBytes(in / "scan/huge.pdf", PdfWithHugeImage());
                     return in / "scan";
                   },
                   {"CORRUPT_FILE"},
                   "",
                   nullptr,
                   "refused before drawing, by the image's declared size (Poppler drew it for "
                   "minutes)",
                   false,
                   30});
  cases.push_back({"BidiInDicomValues",
                   "DICOM values with a right-to-left override and zero-width spaces "
                   "(`H0001`, U+202E, `fdp.exe`)",
                   [](const fs::path& in) {
                     intake::dicom::SyntheticSeriesSpec spec;
                     spec.patient_name = "HOSTILE^TEST";
                     spec.patient_id = "H0001\u202Efdp.exe";
                     spec.patient_birth_date = "19700101";
                     spec.patient_sex = "O";
                     spec.study_date = "20261101";
                     spec.study_description = "CT\u200B\u200Dexe\u2066";
                     spec.slices = 2;
                     spec.uid_seed = "bidi";
                     (void)intake::dicom::WriteSyntheticDisc(in / "disc", spec);
                     return in / "disc";
                   },
                   {},
                   "",
                   [](const json&, const fs::path& case_dir) -> std::string {
                     for (const auto& e : fs::recursive_directory_iterator(case_dir)) {
                       const std::string name = e.path().filename().string();
                       for (const char* hidden : {"\u202E", "\u200B", "\u200D", "\u2066"})
                         if (name.find(hidden) != std::string::npos)
                           return "an invisible control in a folder name";
                     }
                     const std::string html = ReadBytes(case_dir / "report.html");
                     if (html.find("\u202E") != std::string::npos)
                       return "raw U+202E in report.html";
                     return html.find("H0001[U+202E]fdp.exe") != std::string::npos
                                ? ""
                                : "report.html must show the override as [U+202E]";
                   },
                   "dropped from folder names (`患者1_H0001fdp.exe`), shown as `[U+202E]` in "
                   "report.html"});
  cases.push_back({"SkippedEntryBomb",
                   "tar.gz whose one entry, `../bomb.bin`, is 512 MiB of zeros (~0.5 MB packed)",
                   [](const fs::path& in) {
                     WriteArchive(
                         in / "bomb.tar.gz",
                         {{"../bomb.bin", "", AE_IFREG, false, 512ULL << 20}, {"ok.txt", "y"}},
                         true, "gzip");
                     return in / "bomb.tar.gz";
                   },
                   {"UNSAFE_PATH", "ARCHIVE_LIMIT_EXCEEDED"},
                   "",
                   nullptr,
                   "the skipped entry's bytes count against the ratio limit: reading stops there"});
  cases.push_back(
      {"ManyDuplicateNames",
       "zip with 20,000 entries all named `a.txt` (2,000 under the sanitizers)",
       [](const fs::path& in) {
         WriteArchive(in / "many.zip",
                      std::vector<ArchiveEntry>(kDuplicateNames, ArchiveEntry{"a.txt", "x"}));
         return in / "many.zip";
       },
       {},
       "",
       [](const json& r, const fs::path&) -> std::string {
         return CountFiles(r, "many.zip/a.txt") == kDuplicateNames ? "" : "every copy must be kept";
       },
       "all kept (`a.txt~2` … `a.txt~20000`), named in linear time",
       false,
       60});
}

std::vector<HostileCase> Cases() {
  std::vector<HostileCase> cases;
  cases.push_back({"ZipSlip",
                   "zip entry `../../…/" + kEscape + "` (zip-slip)",
                   [](const fs::path& in) {
                     std::string up;
                     for (int i = 0; i < 12; ++i) up += "../";
                     WriteArchive(in / "slip.zip", {{up + "tmp/" + kEscape, "x"}, {"ok.txt", "y"}});
                     return in / "slip.zip";
                   },
                   {"UNSAFE_PATH"},
                   "",
                   nullptr,
                   "entry skipped, the rest extracted"});
  cases.push_back({"AbsolutePath",
                   "zip entry with an absolute path `/tmp/" + kEscape + "`",
                   [](const fs::path& in) {
                     WriteArchive(in / "abs.zip", {{"/tmp/" + kEscape, "x"}, {"ok.txt", "y"}});
                     return in / "abs.zip";
                   },
                   {"UNSAFE_PATH"},
                   "",
                   nullptr,
                   "entry skipped"});
  cases.push_back(
      {"SymlinkEntry",
       "zip entry that is a symlink to `/etc/passwd`",
       [](const fs::path& in) {
         WriteArchive(in / "link.zip", {{"passwd", "/etc/passwd", AE_IFLNK}, {"ok.txt", "y"}});
         return in / "link.zip";
       },
       {"UNSAFE_PATH"},
       "",
       nullptr,
       "link not created"});
  cases.push_back({"HardlinkEntry",
                   "tar hard link to `/etc/shadow`",
                   [](const fs::path& in) {
                     WriteArchive(in / "hard.tar",
                                  {{"shadow", "/etc/shadow", AE_IFREG, true}, {"ok.txt", "y"}},
                                  true);
                     return in / "hard.tar";
                   },
                   {"UNSAFE_PATH"},
                   "",
                   nullptr,
                   "link not created"});
  cases.push_back({"DeviceEntry",
                   "tar character device entry",
                   [](const fs::path& in) {
                     WriteArchive(in / "dev.tar", {{"null", "", AE_IFCHR}, {"ok.txt", "y"}}, true);
                     return in / "dev.tar";
                   },
                   {"UNSAFE_PATH"},
                   "",
                   nullptr,
                   "device not created"});
  cases.push_back({"DuplicateNames",
                   "zip with the same name twice",
                   [](const fs::path& in) {
                     WriteArchive(in / "dup.zip", {{"a.txt", "first"}, {"a.txt", "second"}});
                     return in / "dup.zip";
                   },
                   {},
                   "",
                   [](const json& r, const fs::path&) -> std::string {
                     int copies = 0;
                     for (const auto& f : r.at("submission").at("files"))
                       copies += f.value("path", "") == "dup.zip/a.txt";
                     return copies == 2 ? "" : "both copies must be kept";
                   },
                   "both extracted and listed (the second as `a.txt~2` in the work area)"});
  cases.push_back(
      {"Cp932Names",
       "Windows zip with CP932 (Shift_JIS) names, ソ/表 with a 0x5C byte",
       [](const fs::path& in) {
         WriteArchive(in / "win.zip", {{"書類/紹介状.txt", "x"}, {"表紙ソフト.txt", "y"}}, false,
                      "zip:hdrcharset=CP932");
         return in / "win.zip";
       },
       {},
       "",
       [](const json& r, const fs::path&) -> std::string {
         return HasFile(r, "win.zip/書類/紹介状.txt") && HasFile(r, "win.zip/表紙ソフト.txt")
                    ? ""
                    : "CP932 names must be decoded";
       },
       "names decoded right"});
  cases.push_back({"EncryptedZip",
                   "password-protected zip",
                   [](const fs::path& in) {
                     WriteArchive(in / "secret.zip", {{"紹介状.pdf", "%PDF-1.4"}}, false,
                                  "zip:hdrcharset=UTF-8", "password");
                     return in / "secret.zip";
                   },
                   {"ENCRYPTED_ARCHIVE"},
                   "rejected",
                   nullptr,
                   "verdict `rejected` with a message staff can pass on"});
  cases.push_back(
      {"ZipBomb",
       "zip bomb: 1 GiB of zeros in a ~1 MB zip",
       [](const fs::path& in) {
         WriteArchive(in / "bomb.zip", {{"zeros.bin", "", AE_IFREG, false, 1ULL << 30}});
         return in / "bomb.zip";
       },
       {"ARCHIVE_LIMIT_EXCEEDED"},
       "",
       [](const json&, const fs::path& case_dir) -> std::string {
         std::uintmax_t bytes = 0;
         std::error_code ec;
         for (fs::recursive_directory_iterator it(case_dir, ec), end; it != end; it.increment(ec))
           if (it->is_regular_file(ec)) bytes += it->file_size(ec);
         return bytes < (100ULL << 20)
                    ? ""
                    : "work area grew to " + std::to_string(bytes >> 20) + " MiB";
       },
       "extraction stops at the ratio limit; the work area stays under 100 MiB"});
  cases.push_back({"NestedBomb",
                   "zip inside zip, 6 levels deep",
                   [](const fs::path& in) {
                     fs::path inner = in.parent_path() / "level0.zip";
                     WriteArchive(inner, {{"deep.txt", "x"}});
                     for (int i = 1; i <= 6; ++i) {
                       const fs::path outer =
                           in.parent_path() / ("level" + std::to_string(i) + ".zip");
                       WriteArchive(outer, {{"inner.zip", ReadBytes(inner)}});
                       inner = outer;
                     }
                     fs::rename(inner, in / "nested.zip");
                     return in / "nested.zip";
                   },
                   {"ARCHIVE_LIMIT_EXCEEDED"},
                   "",
                   nullptr,
                   "stops at depth 4"});
  cases.push_back(
      {"TruncatedZip",
       "zip cut in half",
       [](const fs::path& in) {
         std::string text;
         for (int i = 0; i < 20000; ++i) text += std::to_string(i * 7919 % 10007);
         WriteArchive(in.parent_path() / "whole.zip", {{"a.txt", text}, {"b.txt", text}});
         const std::string bytes = ReadBytes(in.parent_path() / "whole.zip");
         WriteBytes(in / "cut.zip", bytes.substr(0, bytes.size() / 2));
         return in / "cut.zip";
       },
       {"CORRUPT_FILE"},
       "",
       nullptr,
       "what could be read is kept"});
  cases.push_back({"GarbagePdf",
                   "`.pdf` with a PDF header and garbage after it",
                   [](const fs::path& in) {
                     std::string bytes = "%PDF-1.7\n";
                     for (int i = 0; i < 4096; ++i)
                       bytes.push_back(static_cast<char>(i * 131 % 251));
                     WriteBytes(in / "scan/紹介状.pdf", bytes);
                     return in / "scan";
                   },
                   {"CORRUPT_FILE"},
                   "",
                   nullptr,
                   ""});
  cases.push_back({"LockedPdf",
                   "password-protected PDF",
                   [](const fs::path& in) {
                     WriteBytes(in / "scan/locked.pdf", LockedPdf());
                     return in / "scan";
                   },
                   {"CORRUPT_FILE"},
                   "",
                   nullptr,
                   "the message asks for a PDF without password"});
  cases.push_back({"LyingExtension",
                   "a JPEG named `.pdf` and a PDF named `.jpg`",
                   [](const fs::path& in) {
                     WriteBytes(in / "scan/photo.pdf", Jpeg());
                     WriteBytes(in / "scan/letter.jpg", LockedPdf());
                     return in / "scan";
                   },
                   {},
                   "",
                   [](const json& r, const fs::path&) -> std::string {
                     return HasFile(r, "photo.pdf", "jpeg") && HasFile(r, "letter.jpg", "pdf")
                                ? ""
                                : "files must be identified by content";
                   },
                   "each read as what it is (content, not name)"});
  cases.push_back({"TruncatedJpeg",
                   "JPEG cut at 40 %",
                   [](const fs::path& in) {
                     WriteBytes(in / "scan/photo.jpg", Jpeg(0.4));
                     return in / "scan";
                   },
                   {},
                   "",
                   nullptr,
                   "read as far as it goes, no crash"});
  cases.push_back({"GarbageTiff",
                   "TIFF header followed by garbage",
                   [](const fs::path& in) {
                     WriteBytes(in / "scan/fax.tif",
                                std::string("II*\0\xff\xff\x00\x00garbage", 16));
                     return in / "scan";
                   },
                   {"CORRUPT_FILE"},
                   "",
                   nullptr,
                   ""});
  cases.push_back({"TiffBomb",
                   "TIFF declaring 100,000 × 100,000 pixels",
                   [](const fs::path& in) {
                     WriteBytes(in / "scan/huge.tif", HugeTiff(100000, 100000));
                     return in / "scan";
                   },
                   {"CORRUPT_FILE"},
                   "",
                   nullptr,
                   "refused before decoding"});
  cases.push_back({"PngBomb",
                   "PNG declaring 60,000 × 60,000 pixels",
                   [](const fs::path& in) {
                     WriteBytes(in / "scan/huge.png", HugePng(60000, 60000));
                     return in / "scan";
                   },
                   {"CORRUPT_FILE"},
                   "",
                   nullptr,
                   "refused before decoding"});
  cases.push_back({"TruncatedDicom",
                   "DICOM disc with one file cut to 300 bytes",
                   [](const fs::path& in) {
                     const auto files = SyntheticDisc(in / "disc");
                     if (!files.empty()) fs::resize_file(files[1], 300);
                     return in / "disc";
                   },
                   {"DICOM_UNREADABLE"},
                   "",
                   nullptr,
                   "the other images are still read"});
  cases.push_back({"DeepDicomSequence",
                   "DICOM file with a sequence nested 10,000 deep (DCMTK's stack overflows)",
                   [](const fs::path& in) {
                     SyntheticDisc(in / "disc");
                     WriteBytes(in / "disc/IMAGES/DEEP", DeepDicom(10000));
                     return in / "disc";
                   },
                   {"DICOM_UNREADABLE"},
                   "",
                   [](const json& r, const fs::path&) -> std::string {
                     const auto& patients = r.at("imaging").at("patients");
                     return patients.size() == 1 && patients[0].value("patient_id", "") == "H0001"
                                ? ""
                                : "the other images must still be read";
                   },
                   "refused before DCMTK parses it (nesting limit 128); the other images are "
                   "still read"});
  cases.push_back({"DicomMarkerGarbage",
                   "`DICM` at offset 128 followed by garbage",
                   [](const fs::path& in) {
                     std::string bytes(128, '\0');
                     bytes += "DICM";
                     for (int i = 0; i < 2048; ++i)
                       bytes.push_back(static_cast<char>(i * 37 % 256));
                     WriteBytes(in / "disc/IM000001", bytes);
                     return in / "disc";
                   },
                   {"DICOM_UNREADABLE"},
                   "",
                   nullptr,
                   ""});
  cases.push_back({"JpegAsDicom",
                   "a JPEG named `.dcm` on a disc",
                   [](const fs::path& in) {
                     SyntheticDisc(in / "disc");
                     WriteBytes(in / "disc/IMAGES/SHOT.dcm", Jpeg());
                     return in / "disc";
                   },
                   {},
                   "",
                   [](const json& r, const fs::path&) -> std::string {
                     return HasFile(r, "SHOT.dcm", "jpeg") ? "" : "must be identified as JPEG";
                   },
                   "read as a JPEG, not as DICOM"});
  cases.push_back({"ScalarManifest",
                   "`intake.yaml` that is not a map",
                   [](const fs::path& in) {
                     WriteBytes(in / "sub/intake.yaml", "z\"{fac\"t");
                     WriteBytes(in / "sub/note.txt", "x");
                     return in / "sub";
                   },
                   {"CORRUPT_FILE"},
                   "",
                   nullptr,
                   "facts come from the documents"});
  cases.push_back({"EmptyFile",
                   "an empty file",
                   [](const fs::path& in) {
                     WriteBytes(in / "empty.pdf", "");
                     return in / "empty.pdf";
                   },
                   {"EMPTY_SUBMISSION"},
                   "",
                   nullptr,
                   ""});
  cases.push_back({"EmptyFolder",
                   "an empty folder",
                   [](const fs::path& in) {
                     fs::create_directories(in / "nothing");
                     return in / "nothing";
                   },
                   {"EMPTY_SUBMISSION"},
                   "",
                   nullptr,
                   ""});
  cases.push_back({"MarkupInNames",
                   "file names with HTML markup and a newline",
                   [](const fs::path& in) {
                     WriteBytes(in / "sub/<script>alert(1)<\\script>.pdf", LockedPdf());
                     WriteBytes(in / "sub/line\nbreak.txt", "x");
                     return in / "sub";
                   },
                   {},
                   "",
                   [](const json&, const fs::path& case_dir) -> std::string {
                     const std::string html = ReadBytes(case_dir / "report.html");
                     if (html.find("<script>alert") != std::string::npos ||
                         html.find("&lt;script&gt;alert") == std::string::npos)
                       return "names must be escaped in report.html";
                     const std::string csp =
                         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                         "'none';";
                     if (html.find(csp) == std::string::npos) return "report.html has no CSP";
                     if (ReadBytes(case_dir.parent_path() / "index.html").find(csp) ==
                         std::string::npos)
                       return "index.html has no CSP";
                     return "";
                   },
                   "escaped in report.html; report.html and index.html carry a "
                   "Content-Security-Policy (no script, no form, nothing fetched)"});
  AddRoundTwoCases(cases);
  return cases;
}

// ---------------------------------------------------------------------------------------------
// Running intake.

struct IntakeRun {
  int exit_code = -1;  // -1: did not exit normally
  int signal = 0;
  long peak_rss_kb = 0;
  std::string stderr_text;
  std::string stdout_text;  // the command's own result lines ("case … failed: …")
  double seconds = 0;       // wall time
};

// Faults injected into the child: a file size limit (writes beyond it fail with EFBIG, as on a
// full disk; SIGXFSZ ignored so the write returns an error instead of killing), and running as
// an unprivileged user so that file permissions apply even when the tests run as root.
struct Faults {
  std::uint64_t max_file_bytes = 0;     // 0: no limit
  std::uint64_t max_address_space = 0;  // 0: no limit (RLIMIT_AS: allocations beyond it fail)
  bool unprivileged = false;
  std::vector<std::string> args = {};  // more arguments for `intake process`
  std::vector<std::string> env = {};   // more environment ("INTAKE_HANG_AT=pages")
  double kill_after_seconds = 0;       // > 0: SIGKILL the child after this long
};

IntakeRun RunIntake(const fs::path& submission, const fs::path& out, const fs::path& log,
                    bool keep_work, const Faults& faults = {}) {
  std::vector<std::string> args = {g_intake.string(), "process", submission.string(), "--out",
                                   out.string()};
  if (keep_work) args.push_back("--keep-work");
  args.insert(args.end(), faults.args.begin(), faults.args.end());
  std::vector<char*> raw;
  for (auto& a : args) raw.push_back(a.data());
  raw.push_back(nullptr);
  std::vector<std::string> env_strings = faults.env;
  std::vector<char*> env;
  for (char** e = environ; *e != nullptr; ++e) env.push_back(*e);
  for (auto& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);
  IntakeRun run;
  const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const fs::path out_path = fs::path(log).replace_extension(".out");
  const int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const pid_t pid = fork();
  if (pid < 0) return run;
  if (pid == 0) {  // child: only async-signal-safe calls until exec
    dup2(out_fd, 1);
    dup2(log_fd, 2);
    if (faults.max_file_bytes > 0) {
      signal(SIGXFSZ, SIG_IGN);
      struct rlimit limit {
        faults.max_file_bytes, faults.max_file_bytes
      };
      setrlimit(RLIMIT_FSIZE, &limit);
    }
    if (faults.max_address_space > 0) {
      struct rlimit limit {
        faults.max_address_space, faults.max_address_space
      };
      setrlimit(RLIMIT_AS, &limit);
    }
    if (faults.unprivileged && geteuid() == 0) {
      const gid_t nogroup = 65534;
      const uid_t nobody = 65534;
      if (setgroups(0, nullptr) != 0 || setgid(nogroup) != 0 || setuid(nobody) != 0) _exit(126);
    }
    execve(raw[0], raw.data(), env.data());
    _exit(127);
  }
  ::close(log_fd);
  ::close(out_fd);
  int status = 0;
  struct rusage usage {};
  const auto start = std::chrono::steady_clock::now();
  if (faults.kill_after_seconds > 0) {
    const auto deadline = start + std::chrono::duration<double>(faults.kill_after_seconds);
    while (wait4(pid, &status, WNOHANG, &usage) == 0) {
      if (std::chrono::steady_clock::now() < deadline) {
        usleep(20000);
        continue;
      }
      kill(pid, SIGKILL);
      wait4(pid, &status, 0, &usage);
      break;
    }
  } else {
    wait4(pid, &status, 0, &usage);
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.peak_rss_kb = usage.ru_maxrss;
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) run.signal = WTERMSIG(status);
  run.stderr_text = ReadBytes(log);
  run.stdout_text = ReadBytes(out_path);
  fs::remove(out_path);
  return run;
}

std::string TreeHash(const fs::path& p) {
  std::error_code ec;
  if (!fs::is_directory(p, ec)) return intake::Sha256File(p).ok() ? *intake::Sha256File(p) : "";
  std::vector<std::string> lines;
  for (fs::recursive_directory_iterator it(p, ec), end; it != end; it.increment(ec)) {
    const auto rel = fs::relative(it->path(), p, ec).string();
    if (it->is_regular_file(ec)) {
      auto h = intake::Sha256File(it->path());
      lines.push_back(rel + " " + (h.ok() ? *h : "?"));
    } else {
      lines.push_back(rel + "/");
    }
  }
  std::sort(lines.begin(), lines.end());
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  return intake::Sha256Hex(all);
}

void PrintTo(const HostileCase& hc, std::ostream* os) { *os << hc.name; }

class HostileInput : public ::testing::TestWithParam<HostileCase> {};

TEST_P(HostileInput, FindingNotCrashNothingLostNothingOutside) {
  const HostileCase& hc = GetParam();
  const fs::path root = fs::temp_directory_path() / ("intake-hostile-" + hc.name);
  fs::remove_all(root);
  fs::create_directories(root / "in");
  const fs::path submission = hc.make(root / "in");
  if (submission.empty()) GTEST_SKIP() << "the tool that builds this input is not installed";
  // Builders may leave intermediate files beside in/; only in/ and out/ may remain after.
  for (const auto& e : fs::directory_iterator(root))
    if (e.path().filename() != "in") fs::remove_all(e.path());
  const std::string before = TreeHash(submission);
  for (const auto& dir : {fs::path("/tmp"), fs::path("/")}) fs::remove(dir / kEscape);

  Faults faults;
  faults.kill_after_seconds = 2 * hc.max_seconds * kSlowdown;  // a hang fails the test, in time
  if (hc.unprivileged) {
    faults.unprivileged = true;
    fs::permissions(root, fs::perms::others_all, fs::perm_options::add);  // nobody makes out/
  }
  const IntakeRun run =
      RunIntake(submission, root / "out", root / "intake.log", hc.name == "ZipBomb", faults);

  ASSERT_EQ(run.signal, 0) << "intake died of signal " << run.signal << "\n" << run.stderr_text;
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text << run.stdout_text;
  if (hc.max_seconds > 0) {
    EXPECT_LT(run.seconds, hc.max_seconds * kSlowdown);
  }
  if (hc.max_rss_mib > 0 && !kSanitized) {
    EXPECT_LT(run.peak_rss_kb / 1024, hc.max_rss_mib) << "peak RSS";
  }
  EXPECT_EQ(TreeHash(submission), before) << "the original submission changed";
  for (const auto& dir : {fs::path("/tmp"), fs::path("/")})
    EXPECT_FALSE(fs::exists(dir / kEscape)) << "written outside the output folder";
  std::set<std::string> top;
  for (const auto& e : fs::directory_iterator(root)) top.insert(e.path().filename().string());
  EXPECT_EQ(top, (std::set<std::string>{"in", "out", "intake.log"}));
  for (unsigned char ch : run.stderr_text) {
    if (ch >= 0x80) {
      ADD_FAILURE() << "non-ASCII byte in the log (patient data?)";
      break;
    }
  }

  fs::path case_dir;
  for (const auto& e : fs::directory_iterator(root / "out")) {
    if (fs::exists(e.path() / "report.json")) case_dir = e.path();
  }
  ASSERT_FALSE(case_dir.empty()) << "no report written";
  const json report = json::parse(ReadBytes(case_dir / "report.json"));
  std::set<std::string> codes;
  for (const auto& f : report["findings"]) codes.insert(f.value("code", ""));
  for (const auto& code : hc.codes) {
    EXPECT_TRUE(codes.count(code)) << "missing finding " << code;
  }
  const std::string verdict = report.value("verdict", "");
  if (!hc.verdict.empty()) {
    EXPECT_EQ(verdict, hc.verdict);
  }
  if (hc.check) {
    const std::string problem = hc.check(report, case_dir);
    EXPECT_EQ(problem, "");
  }

  std::string found;
  for (const auto& code : codes) found += (found.empty() ? "" : ", ") + ("`" + code + "`");
  std::ostringstream row;
  row << "| " << hc.tried << " | " << (found.empty() ? "no finding" : found) << "; verdict `"
      << verdict << "`" << (hc.does.empty() ? "" : "; " + hc.does) << " | "
      << run.peak_rss_kb / 1024 << " MiB |";
  g_table_rows.push_back(row.str());
  if (!::testing::Test::HasFailure()) fs::remove_all(root);
}

// Faults: the environment fails, not the input. intake must say so clearly, keep the original
// and leave no half-written report behind.
class Fault : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("intake-fault-" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "in");
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(root_);
  }
  bool AnyReport() const {
    std::error_code ec;
    for (fs::recursive_directory_iterator it(root_ / "out", ec), end; it != end; it.increment(ec))
      if (it->path().filename() == "report.json") return true;
    return false;
  }
  void Row(const std::string& tried, const IntakeRun& run, const std::string& does) {
    g_table_rows.push_back("| " + tried + " | exit " + std::to_string(run.exit_code) + "; " + does +
                           " | " + std::to_string(run.peak_rss_kb / 1024) + " MiB |");
  }
  fs::path root_;
};

TEST_F(Fault, DiskFullWhileUnpacking) {
  std::string data;  // 24 MB that deflate cannot shrink much below the file size limit
  std::uint32_t x = 12345;
  for (int i = 0; i < (24 << 20); ++i)
    data.push_back(static_cast<char>((x = x * 1103515245u + 12345u) >> 24));
  WriteArchive(root_ / "in/big.zip", {{"scan.tif", data}});
  const std::string before = TreeHash(root_ / "in/big.zip");
  Faults faults;
  faults.max_file_bytes = 8ULL << 20;  // intake only reads the zip; its unpacked copy does not fit
  const IntakeRun run =
      RunIntake(root_ / "in/big.zip", root_ / "out", root_ / "intake.log", false, faults);
  ASSERT_EQ(run.signal, 0) << run.stderr_text;
  EXPECT_EQ(run.exit_code, 1) << run.stderr_text;
  EXPECT_NE(run.stdout_text.find("disk full"), std::string::npos) << run.stdout_text;
  EXPECT_EQ(TreeHash(root_ / "in/big.zip"), before);
  EXPECT_FALSE(AnyReport());
  std::error_code ec;
  std::uintmax_t left = 0;
  for (fs::recursive_directory_iterator it(root_ / "out", ec), end; it != end; it.increment(ec))
    if (it->is_regular_file(ec)) left += it->file_size(ec);
  EXPECT_LT(left, 1u << 20) << "the half-unpacked work area must not stay behind";
  Row("disk full while unpacking (file size limit, EFBIG)", run,
      "the case fails with `write error in the work area (disk full?)`; original kept, no report");
}

TEST_F(Fault, OutputFolderNotWritable) {
  std::ofstream(root_ / "in/note.txt") << "x";
  fs::create_directories(root_ / "out");
  fs::permissions(root_ / "out", fs::perms::owner_read | fs::perms::owner_exec |
                                     fs::perms::group_read | fs::perms::group_exec |
                                     fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(root_, fs::perms::others_exec | fs::perms::others_read, fs::perm_options::add);
  fs::permissions(root_ / "in", fs::perms::others_exec | fs::perms::others_read,
                  fs::perm_options::add);
  Faults faults;
  faults.unprivileged = true;
  const IntakeRun run =
      RunIntake(root_ / "in/note.txt", root_ / "out", root_ / "intake.log", false, faults);
  ASSERT_EQ(run.signal, 0) << run.stderr_text;
  EXPECT_EQ(run.exit_code, 1) << run.stderr_text;
  EXPECT_NE(run.stdout_text.find("cannot create the case folder"), std::string::npos)
      << run.stdout_text;
  EXPECT_FALSE(AnyReport());
  EXPECT_TRUE(fs::exists(root_ / "in/note.txt"));
  Row("output folder not writable (permissions)", run,
      "the case fails with `cannot create the case folder`; original kept");
}

TEST_F(Fault, SubmissionNotReadable) {
  std::ofstream(root_ / "in/secret.pdf") << "%PDF-1.4\n";
  fs::permissions(root_ / "in/secret.pdf", fs::perms::owner_read | fs::perms::owner_write);
  fs::permissions(root_, fs::perms::others_all, fs::perm_options::add);
  fs::permissions(root_ / "in", fs::perms::others_exec | fs::perms::others_read,
                  fs::perm_options::add);
  Faults faults;
  faults.unprivileged = true;
  const IntakeRun run =
      RunIntake(root_ / "in/secret.pdf", root_ / "out", root_ / "intake.log", false, faults);
  ASSERT_EQ(run.signal, 0) << run.stderr_text;
  EXPECT_EQ(run.exit_code, 1) << run.stderr_text;
  EXPECT_NE(run.stdout_text.find("submission could not be read"), std::string::npos)
      << run.stdout_text;
  EXPECT_EQ(AnyReport(), false);
  EXPECT_TRUE(fs::exists(root_ / "in/secret.pdf"));
  Row("submission not readable (permissions)", run,
      "the case fails with `submission could not be read`; nothing else touched");
}

// A file that makes a library hang (simulated by a hang point, pipeline/fault_points.h: Poppler,
// DCMTK and libarchive cannot be interrupted): the case time limit fails the case with where it
// was, by stage and file id, and the process exits 1 soon after the limit.
TEST_F(Fault, FileThatHangsAReader) {
  struct Hang {
    std::string point;
    std::string file;
  };
  for (const Hang& hang : {Hang{"pages", "scan.jpg"}, Hang{"unpack", "letters.zip"}}) {
    SCOPED_TRACE(hang.point);
    const fs::path submission = root_ / "in" / hang.file;
    if (hang.point == "unpack") {
      WriteArchive(submission, {{"scan.jpg", Jpeg()}});
    } else {
      WriteBytes(submission, Jpeg());
    }
    const std::string before = TreeHash(submission);
    Faults faults;
    faults.args = {"--case-time-limit", "2"};
    faults.env = {"INTAKE_HANG_AT=" + hang.point};
    const fs::path out = root_ / ("out-" + hang.point);
    const IntakeRun run = RunIntake(submission, out, root_ / "intake.log", false, faults);
    ASSERT_EQ(run.signal, 0) << run.stderr_text;
    EXPECT_EQ(run.exit_code, 1) << run.stderr_text;
    EXPECT_LT(run.seconds, 20) << "the limit is 2 s; OCR engines load in about 1 s";
    const std::string where =
        "case time limit of 2 s reached in stage " + hang.point + ", file f0001";
    EXPECT_NE(run.stdout_text.find(where), std::string::npos) << run.stdout_text;
    EXPECT_NE(run.stdout_text.find("the submission was not changed"), std::string::npos);
    EXPECT_NE(run.stderr_text.find(where), std::string::npos) << run.stderr_text;
    EXPECT_EQ(run.stderr_text.find(hang.file), std::string::npos) << "a file name in the log";
    for (unsigned char ch : run.stderr_text + run.stdout_text) {
      if (ch >= 0x80) {
        ADD_FAILURE() << "non-ASCII byte in the output (patient data?)";
        break;
      }
    }
    EXPECT_EQ(TreeHash(submission), before);
    std::error_code ec;
    bool report = false;
    bool work = false;
    for (fs::recursive_directory_iterator it(out, ec), end; it != end; it.increment(ec)) {
      report = report || it->path().filename() == "report.json";
      work = work || it->path().filename() == "work";
    }
    EXPECT_FALSE(report);
    EXPECT_FALSE(work) << "the work area (extracted patient files) must not stay behind";
    for (const auto& entry : fs::directory_iterator(out, ec)) {
      EXPECT_FALSE(entry.is_directory() && entry.path().filename().string().front() != '.')
          << "a half-made case folder stayed: " << entry.path().filename();
    }
    const std::string audit = ReadBytes(out / "audit.log");
    EXPECT_NE(audit.find("case_failed"), std::string::npos) << audit;
    EXPECT_NE(audit.find(where), std::string::npos) << audit;
    if (hang.point == "pages") {
      Row("a file on which a reader hangs (simulated: `INTAKE_HANG_AT=pages`, "
          "`--case-time-limit 2`)",
          run,
          "after 2 s the case fails with `case time limit of 2 s reached in stage pages, file "
          "f0001`, recorded as `case_failed` in the audit trail; original kept, the half-made case "
          "folder removed; " +
              std::to_string(static_cast<int>(run.seconds + 0.5)) + " s in all");
    }
  }
}

// A page OCR cannot finish in time (simulated by a tiny page time limit): a finding, not a
// failure; the rest of the case goes on.
TEST_F(Fault, PageOcrCannotFinishInTime) {
  const fs::path submission = root_ / "in/scan.jpg";
  WriteBytes(submission, Jpeg());
  Faults faults;
  faults.args = {"--page-time-limit", "0.001"};
  const IntakeRun run = RunIntake(submission, root_ / "out", root_ / "intake.log", false, faults);
  ASSERT_EQ(run.signal, 0) << run.stderr_text;
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
  fs::path report_path;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root_ / "out", ec), end; it != end; it.increment(ec))
    if (it->path().filename() == "report.json") report_path = it->path();
  ASSERT_FALSE(report_path.empty()) << run.stderr_text;
  const json report = json::parse(ReadBytes(report_path));
  std::set<std::string> codes;
  for (const auto& f : report["findings"]) codes.insert(f.value("code", ""));
  EXPECT_TRUE(codes.count("OCR_TIME_LIMIT")) << report["findings"].dump();
  EXPECT_FALSE(codes.count("LOW_OCR_CONFIDENCE")) << "one finding per page";
  Row("a page OCR cannot finish in time (simulated: `--page-time-limit 0.001`)", run,
      "`OCR_TIME_LIMIT` on the page (what was read is kept, confidence 0); verdict `" +
          report.value("verdict", "") + "`; the case goes on");
}

// libjpeg's own warnings ("Corrupt JPEG data: 3 extraneous bytes before marker 0xd9") went to
// stderr as they were, between the lines of a JSON log. They are counted, never printed: the log
// stays one JSON object per line, and the page is said to be damaged.
TEST_F(Fault, LibjpegWarningsStayOutOfTheJsonLog) {
  std::string jpeg = PageImage(IFF_JFIF_JPEG);
  // Three stray bytes after the JFIF segment: libjpeg warns, and no pixel is lost.
  const std::size_t after_app0 =
      4 + ((static_cast<unsigned char>(jpeg[4]) << 8) | static_cast<unsigned char>(jpeg[5]));
  jpeg.insert(after_app0, "\x01\x02\x03");
  const fs::path submission = root_ / "in/scan.jpg";
  WriteBytes(submission, jpeg);
  Faults faults;
  faults.args = {"--log-format", "json"};
  const IntakeRun run = RunIntake(submission, root_ / "out", root_ / "intake.log", false, faults);
  ASSERT_EQ(run.signal, 0) << run.stderr_text;
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
  std::istringstream lines(run.stderr_text);
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    EXPECT_TRUE(json::accept(line)) << "not a JSON log line: " << line;
  }
  EXPECT_GT(count, 0);
  fs::path report_path;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root_ / "out", ec), end; it != end; it.increment(ec))
    if (it->path().filename() == "report.json") report_path = it->path();
  ASSERT_FALSE(report_path.empty()) << run.stderr_text;
  const json report = json::parse(ReadBytes(report_path));
  std::set<std::string> codes;
  for (const auto& f : report["findings"]) codes.insert(f.value("code", ""));
  EXPECT_FALSE(codes.count("CORRUPT_FILE")) << "no pixel was lost: " << report["findings"].dump();
  Row("JPEG with 3 stray bytes between its markers (libjpeg: \"Corrupt JPEG data: 3 extraneous "
      "bytes before marker\"), `--log-format json`",
      run,
      "every log line JSON (libjpeg's warnings counted by our decoder, never printed); the page "
      "read, no finding (no pixel lost; warnings that lose pixels give `CORRUPT_FILE`)");
}

// The report.json below `out` (null when there is none).
json FindReport(const fs::path& out) {
  std::error_code ec;
  for (fs::recursive_directory_iterator it(out, ec), end; it != end; it.increment(ec))
    if (it->path().filename() == "report.json") return json::parse(ReadBytes(it->path()));
  return nullptr;
}

// The codes of the findings on the file whose path ends in `suffix` ("" : every finding).
std::set<std::string> CodesOn(const json& report, const std::string& suffix) {
  std::set<std::string> ids;
  for (const auto& f : report["submission"]["files"]) {
    const std::string p = f.value("path", "");
    if (p.size() >= suffix.size() &&
        p.compare(p.size() - suffix.size(), suffix.size(), suffix) == 0)
      ids.insert(f.value("id", ""));
  }
  std::set<std::string> codes;
  for (const auto& f : report["findings"])
    if (suffix.empty() || ids.count(f.value("file", ""))) codes.insert(f.value("code", ""));
  return codes;
}

// Every line of `text` is one JSON object; "" or the first line that is not.
std::string NotJsonLine(const std::string& text) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (!json::accept(line)) return line;
  return "";
}

// libjpeg's messages also when Poppler draws a page (its DCTStream keeps libjpeg's default
// output, stderr) and from a photo: with `--log-format json` every line stays JSON.
TEST_F(Fault, LibjpegMessagesWhilePopplerDrawsStayOutOfTheJsonLog) {
  WriteBytes(root_ / "in/sub/drawn.pdf", DrawnPdfWithCorruptJpeg());
  std::string photo = PageImage(IFF_JFIF_JPEG);
  for (std::size_t i = photo.size() / 2; i < photo.size() / 2 + 64; ++i)
    photo[i] = static_cast<char>(i % 3 == 0 ? 0xFF : 0xD4 + i % 3);
  WriteBytes(root_ / "in/sub/photo.jpg", photo);
  Faults faults;
  faults.args = {"--log-format", "json"};
  const IntakeRun run =
      RunIntake(root_ / "in/sub", root_ / "out", root_ / "intake.log", false, faults);
  ASSERT_EQ(run.signal, 0) << run.stderr_text;
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_EQ(NotJsonLine(run.stderr_text), "") << "not a JSON log line";
  EXPECT_EQ(run.stderr_text.find("Corrupt JPEG"), std::string::npos);
  const json report = FindReport(root_ / "out");
  ASSERT_FALSE(report.is_null()) << run.stderr_text;
  EXPECT_TRUE(CodesOn(report, "drawn.pdf").count("CORRUPT_FILE")) << report["findings"].dump();
  EXPECT_TRUE(CodesOn(report, "photo.jpg").count("CORRUPT_FILE")) << report["findings"].dump();
  Row("a PDF page Poppler draws whose embedded JPEG is corrupt, and a corrupt JPEG photo, "
      "`--log-format json`",
      run,
      "every log line JSON (libjpeg's messages counted, never printed, also inside Poppler); "
      "`CORRUPT_FILE` on both: the page drawn as far as it goes is said to be damaged");
}

// A page Poppler would draw for many minutes (20,000 fills of the whole page): drawing stops at
// the page time limit between drawing operators, the page gets a finding, the case goes on.
TEST_F(Fault, PdfPageSlowToDraw) {
  WriteBytes(root_ / "in/sub/slow.pdf", PdfSlowToDraw(20000));
  WriteBytes(root_ / "in/sub/scan.jpg", PageImage(IFF_JFIF_JPEG));
  Faults faults;
  faults.args = {"--page-time-limit", "3"};
  faults.kill_after_seconds = 120 * kSlowdown;
  const IntakeRun run =
      RunIntake(root_ / "in/sub", root_ / "out", root_ / "intake.log", false, faults);
  ASSERT_EQ(run.signal, 0) << "still drawing after " << run.seconds << " s";
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_LT(run.seconds, 20 * kSlowdown) << "the limit is 3 s; OCR engines load in about 1 s";
  const json report = FindReport(root_ / "out");
  ASSERT_FALSE(report.is_null()) << run.stderr_text;
  EXPECT_EQ(CodesOn(report, "slow.pdf"), std::set<std::string>{"OCR_TIME_LIMIT"})
      << report["findings"].dump();
  EXPECT_FALSE(CodesOn(report, "scan.jpg").count("OCR_TIME_LIMIT")) << "the other page is read";
  Row("a 3 KB PDF page of 20,000 fills of the whole page (Poppler draws it for many minutes), "
      "`--page-time-limit 3`",
      run,
      "`OCR_TIME_LIMIT` on the page: Poppler's drawing (its core API with an abort check, polled "
      "between drawing operators) stops at the page time limit; the other page read; " +
          std::to_string(static_cast<int>(run.seconds + 0.5)) + " s in all");
}

// Memory runs out (an address-space limit): the image that cannot be decoded gets a finding that
// says so, not CORRUPT_FILE and not a crash; the rest of the case goes on.
TEST_F(Fault, AllocationFailureBecomesAFinding) {
  if (kSanitized) GTEST_SKIP() << "ASan reserves terabytes of address space";
  WriteBytes(root_ / "in/sub/big.png", ZeroRgbaPng(12000));  // 549 MiB decoded, within limits
  WriteBytes(root_ / "in/sub/scan.jpg", PageImage(IFF_JFIF_JPEG));
  Faults faults;
  faults.max_address_space = 1200ULL << 20;
  faults.args = {"--workers", "1"};
  const IntakeRun run =
      RunIntake(root_ / "in/sub", root_ / "out", root_ / "intake.log", false, faults);
  ASSERT_EQ(run.signal, 0) << run.stderr_text;
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text << run.stdout_text;
  const json report = FindReport(root_ / "out");
  ASSERT_FALSE(report.is_null()) << run.stderr_text << run.stdout_text;
  EXPECT_EQ(CodesOn(report, "big.png"), std::set<std::string>{"OUT_OF_MEMORY"})
      << report["findings"].dump();
  Row("a 12,000 × 12,000 RGBA PNG (549 MiB decoded, inside the limits) under a 1.2 GB "
      "address-space limit (`RLIMIT_AS`)",
      run,
      "the case goes on; `OUT_OF_MEMORY` on the image (not `CORRUPT_FILE`): the decoder's failed "
      "allocation becomes a finding; verdict `" +
          report.value("verdict", "") + "`");
}

// The disk fills while a page image OCR read is kept (a file size limit: EFBIG, as on a full
// disk): a finding about the output disk, not CORRUPT_FILE on the patient's file.
TEST_F(Fault, DiskFullWhileKeepingAPageImage) {
  const std::string photo = NoisyPageJpeg(5);
  WriteBytes(root_ / "in/scan.jpg", photo);
  Faults faults;
  faults.max_file_bytes = photo.size() + (64 << 10);
  const IntakeRun run =
      RunIntake(root_ / "in/scan.jpg", root_ / "out", root_ / "intake.log", false, faults);
  ASSERT_EQ(run.signal, 0) << run.stderr_text;
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text << run.stdout_text;
  const json report = FindReport(root_ / "out");
  ASSERT_FALSE(report.is_null()) << run.stderr_text << run.stdout_text;
  const std::set<std::string> codes = CodesOn(report, "");
  EXPECT_TRUE(codes.count("OUTPUT_DISK_FULL")) << report["findings"].dump();
  EXPECT_FALSE(codes.count("CORRUPT_FILE")) << report["findings"].dump();
  Row("disk full while the page image OCR read is kept (file size limit, EFBIG)", run,
      "`OUTPUT_DISK_FULL` (the output disk, not the patient's file: no `CORRUPT_FILE`); verdict `" +
          report.value("verdict", "") + "`");
}

// The disk fills while the original is copied into the case folder: the message says the disk is
// full (std::filesystem::copy_file said "Input/output error").
TEST_F(Fault, DiskFullWhileKeepingTheOriginal) {
  std::string data;  // 3 MB that no page reader wants
  std::uint32_t x = 777;
  for (int i = 0; i < (3 << 20); ++i)
    data.push_back(static_cast<char>((x = x * 1103515245u + 12345u) >> 24));
  WriteBytes(root_ / "in/sub/data.bin", data);
  WriteBytes(root_ / "in/sub/note.txt", "x");
  Faults faults;
  faults.max_file_bytes = 1 << 20;
  const IntakeRun run =
      RunIntake(root_ / "in/sub", root_ / "out", root_ / "intake.log", false, faults);
  ASSERT_EQ(run.signal, 0) << run.stderr_text;
  EXPECT_EQ(run.exit_code, 1) << run.stderr_text << run.stdout_text;
  EXPECT_NE(run.stdout_text.find("no space left on device"), std::string::npos) << run.stdout_text;
  EXPECT_EQ(run.stdout_text.find("Input/output error"), std::string::npos) << run.stdout_text;
  EXPECT_NE(run.stderr_text.find("no space left on device"), std::string::npos);
  Row("disk full while the original is copied into `11_原本/` (file size limit, EFBIG)", run,
      "the case fails with `the original submission could not be kept in the case folder: write "
      "error while copying: no space left on device` (was `Input/output error`); original kept");
}

// The PDFs report.json names that are missing from its case folder (none: "").
std::string MissingPdfs(const fs::path& case_dir) {
  const json report = json::parse(ReadBytes(case_dir / "report.json"));
  std::string missing;
  for (const auto& d : report.at("documents")) {
    if (!d.contains("pdf") || !d["pdf"].is_string()) continue;
    const std::string pdf = d["pdf"];
    if (!fs::exists(case_dir / pdf)) missing += pdf + " ";
  }
  return missing;
}

// Run folders under OUT/.intake/process/ (a killed run's are removed by the next run).
int StagingLeft(const fs::path& out) {
  int left = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(out / ".intake/process", ec))
    left += e.is_directory() ? 1 : 0;
  return left;
}

// Two runs of one submission at once: each builds its case in its own staging folder and renames
// it into place under the case's lock, so the folder left is whole and names only what it holds.
TEST_F(Fault, SameSubmissionTwiceAtOnce) {
  WriteBytes(root_ / "in/scan.jpg", PageImage(IFF_JFIF_JPEG));
  IntakeRun runs[2];
  std::thread second([&] {
    runs[1] = RunIntake(root_ / "in/scan.jpg", root_ / "out", root_ / "intake2.log", false);
  });
  runs[0] = RunIntake(root_ / "in/scan.jpg", root_ / "out", root_ / "intake.log", false);
  second.join();
  for (const IntakeRun& run : runs) {
    ASSERT_EQ(run.signal, 0) << run.stderr_text;
    EXPECT_EQ(run.exit_code, 0) << run.stdout_text << run.stderr_text;
  }
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(root_ / "out"))
    if (fs::exists(e.path() / "report.json")) cases.push_back(e.path());
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(MissingPdfs(cases[0]), "");
  EXPECT_FALSE(fs::exists(cases[0] / "work"));
  EXPECT_EQ(StagingLeft(root_ / "out"), 0);
  Row("the same submission processed twice at once", runs[0],
      "both runs end normally; each builds the case in its own staging folder and renames it into "
      "place under the case's lock: one whole case folder, every PDF its report names there");
}

// kill -9 while a finished case is processed again: the finished case stays as it was (the new
// one is built in staging), and the next run removes what the killed one left.
TEST_F(Fault, KilledWhileProcessingAgain) {
  WriteBytes(root_ / "in/scan.jpg", PageImage(IFF_JFIF_JPEG));
  const IntakeRun first =
      RunIntake(root_ / "in/scan.jpg", root_ / "out", root_ / "intake.log", false);
  ASSERT_EQ(first.exit_code, 0) << first.stderr_text;
  fs::path case_dir;
  for (const auto& e : fs::directory_iterator(root_ / "out"))
    if (fs::exists(e.path() / "report.json")) case_dir = e.path();
  ASSERT_FALSE(case_dir.empty());
  const std::string report = ReadBytes(case_dir / "report.json");

  Faults faults;
  faults.env = {"INTAKE_HANG_AT=pages"};
  faults.kill_after_seconds = 3;
  const IntakeRun killed =
      RunIntake(root_ / "in/scan.jpg", root_ / "out", root_ / "intake2.log", false, faults);
  EXPECT_EQ(killed.signal, SIGKILL);
  EXPECT_EQ(ReadBytes(case_dir / "report.json"), report) << "the finished case must stay";
  EXPECT_EQ(MissingPdfs(case_dir), "");
  EXPECT_FALSE(fs::exists(case_dir / "work"));
  EXPECT_EQ(StagingLeft(root_ / "out"), 1) << "the killed run's folder, until the next run";

  const IntakeRun next =
      RunIntake(root_ / "in/scan.jpg", root_ / "out", root_ / "intake3.log", false);
  EXPECT_EQ(next.exit_code, 0) << next.stderr_text;
  EXPECT_EQ(MissingPdfs(case_dir), "");
  EXPECT_EQ(StagingLeft(root_ / "out"), 0);
  Row("`kill -9` of `intake process` while it processes a finished case again", next,
      "the finished case stays whole (the new one is built in staging and renamed into place); "
      "the next run removes the killed run's staging folder");
}

INSTANTIATE_TEST_SUITE_P(Issue7, HostileInput, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--intake") g_intake = argv[i + 1];
  if (g_intake.empty()) {
    std::fprintf(stderr, "usage: intake-hostile-inputs --intake PATH [gtest flags]\n");
    return 2;
  }
  const int result = RUN_ALL_TESTS();
  std::ofstream table(fs::path(INTAKE_BINARY_DIR) / "hostile-inputs.md");
  table << "| input | what intake does | peak RSS |\n|---|---|---|\n";
  for (const auto& row : g_table_rows) table << row << "\n";
  return result;
}
