// Tests of the DICOM adapter beyond headers: transfer syntaxes, DICOMDIR records, key images and
// encapsulated PDFs, on synthetic files and on the public data in ../shared/data (those tests
// skip when it is absent).
#include <allheaders.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "dicom/dicom_reader.h"
#include "dicom/dicomdir.h"
#include "dicom/key_image.h"
#include "dicom/synthetic_series.h"
#include "dicom/transfer_syntax.h"
#include "ocr/page_image.h"
#include "tests/support/status_matchers.h"

using intake::testing::IsOk;

namespace intake::dicom {
namespace {

namespace fs = std::filesystem;

const fs::path kData = fs::path(INTAKE_SHARED_DATA_DIR) / "dicom";

#define SKIP_WITHOUT_SHARED_DATA() \
  if (!fs::exists(kData / "files")) GTEST_SKIP() << "shared DICOM data absent"

class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            ("intake_dicom_media_" + std::to_string(getpid()) + "_" + info->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST(TransferSyntax, NamesLossAndDecodability) {
  struct Row {
    const char* uid;
    const char* name;
    Lossiness lossiness;
    bool decodable;
  };
  const Row rows[] = {
      {"1.2.840.10008.1.2", "Implicit VR Little Endian", Lossiness::kLossless, true},
      {"1.2.840.10008.1.2.1", "Explicit VR Little Endian", Lossiness::kLossless, true},
      {"1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", Lossiness::kLossless, true},
      {"1.2.840.10008.1.2.2", "Explicit VR Big Endian", Lossiness::kLossless, true},
      {"1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", Lossiness::kLossy, true},
      {"1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)", Lossiness::kLossy, true},
      {"1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)",
       Lossiness::kLossless, true},
      {"1.2.840.10008.1.2.4.80", "JPEG-LS Lossless Image Compression", Lossiness::kLossless, true},
      {"1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless) Image Compression",
       Lossiness::kEither, true},
      {"1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)",
       Lossiness::kLossless, true},  // OpenJPEG
      {"1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression", Lossiness::kEither, true},
      {"1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000 Image Compression", Lossiness::kEither,
       false},
      {"1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264 High Profile / Level 4.1", Lossiness::kLossy,
       false},
      {"1.2.840.10008.1.2.5", "RLE Lossless", Lossiness::kLossless, true},
      {"1.2.840.10008.1.2.8.1", "Deflated Image Frame Compression", Lossiness::kLossless, false},
  };
  for (const Row& row : rows) {
    const TransferSyntaxInfo info = DescribeTransferSyntax(row.uid);
    EXPECT_EQ(info.uid, row.uid);
    EXPECT_EQ(info.name, row.name) << row.uid;
    EXPECT_EQ(info.lossiness, row.lossiness) << row.uid;
    EXPECT_EQ(info.decodable, row.decodable) << row.uid;
    EXPECT_EQ(UndecodableReason(row.uid).empty(), row.decodable) << row.uid;
  }
  EXPECT_EQ(DescribeTransferSyntax("").name, "Implicit VR Little Endian");
  const TransferSyntaxInfo unknown = DescribeTransferSyntax("1.2.3.4");
  EXPECT_EQ(unknown.lossiness, Lossiness::kUnknown);
  EXPECT_FALSE(unknown.decodable);
  EXPECT_EQ(TransferSyntaxName("1.2.3.4"), "1.2.3.4");
  EXPECT_NE(UndecodableReason("1.2.3.4").find("1.2.3.4"), std::string::npos);
  const std::string htj2k = UndecodableReason("1.2.840.10008.1.2.4.203");
  EXPECT_NE(htj2k.find("High-Throughput JPEG 2000"), std::string::npos);
  EXPECT_NE(htj2k.find("DCMTK 3.6"), std::string::npos) << htj2k;
}

TEST(TransferSyntax, LossyFlag) {
  EXPECT_FALSE(IsLossy("1.2.840.10008.1.2.1", ""));
  EXPECT_TRUE(IsLossy("1.2.840.10008.1.2.1", "01"));  // decompressed from lossy, stored native
  EXPECT_TRUE(IsLossy("1.2.840.10008.1.2.4.50", ""));
  EXPECT_TRUE(IsLossy("1.2.840.10008.1.2.4.50", "00"));  // the syntax itself always loses
  EXPECT_TRUE(IsLossy("1.2.840.10008.1.2.4.91", ""));
  EXPECT_FALSE(IsLossy("1.2.840.10008.1.2.4.91", "00"));  // JPEG 2000 used losslessly
  EXPECT_FALSE(IsLossy("1.2.840.10008.1.2.4.70", ""));
  EXPECT_FALSE(IsLossy("1.2.840.10008.1.2.5", "00"));
}

// Key images: the PNG exists, fits in 512 px and is not one flat colour (the window worked).
struct PngCheck {
  int width = 0;
  int height = 0;
  int depth = 0;
  int grey_levels = 0;  // distinct values of the first channel
};

PngCheck LookAt(const fs::path& png) {
  PngCheck check;
  PIX* pix = pixRead(png.c_str());
  if (pix == nullptr) return check;
  check.width = pixGetWidth(pix);
  check.height = pixGetHeight(pix);
  check.depth = pixGetDepth(pix);
  std::set<unsigned> values;
  for (int y = 0; y < check.height; y += 2) {
    for (int x = 0; x < check.width; x += 2) {
      l_uint32 value = 0;
      pixGetPixel(pix, x, y, &value);
      values.insert(check.depth == 32 ? (value >> 24) & 0xFF : value);
    }
  }
  check.grey_levels = static_cast<int>(values.size());
  pixDestroy(&pix);
  return check;
}

TEST(KeyImage, SyntheticSeriesIsWindowedAndDownscaled) {
  TempDir dir;
  SyntheticSeriesSpec spec;
  spec.patient_name = "テスト^タロウ";
  spec.patient_id = "KEY1";
  spec.study_date = "20240101";
  spec.slices = 3;
  spec.rows = 600;
  spec.columns = 300;
  spec.uid_seed = "key-image-test";
  auto images = WriteSyntheticDisc(dir.path() / "disc", spec);
  ASSERT_THAT(images, IsOk());
  const fs::path png = dir.path() / "1.png";
  auto size = WriteKeyImage((*images)[1], 0, png);
  ASSERT_THAT(size, IsOk());
  EXPECT_EQ(size->height, 512);
  EXPECT_EQ(size->width, 256);
  const PngCheck check = LookAt(png);
  EXPECT_EQ(check.width, 256);
  EXPECT_EQ(check.height, 512);
  EXPECT_EQ(check.depth, 8);
  // Window 40/400 on air, soft tissue, the organ and bone: at least four grey levels.
  EXPECT_GE(check.grey_levels, 4);

  auto small = WriteKeyImage((*images)[0], 0, dir.path() / "2.png", 1024);
  ASSERT_THAT(small, IsOk());
  EXPECT_EQ(small->height, 600);  // never enlarged
}

TEST(KeyImage, DecodesTheCompressedSyntaxesDcmtkSupports) {
  SKIP_WITHOUT_SHARED_DATA();
  TempDir dir;
  const char* decodable[] = {
      "transfer_syntax/pydicom/CT_small.dcm",                         // native
      "transfer_syntax/pydicom/MR_small_bigendian.dcm",               // big endian
      "transfer_syntax/pydicom/image_dfl.dcm",                        // deflate
      "transfer_syntax/pydicom/JPEG-lossy.dcm",                       // JPEG extended 12-bit
      "transfer_syntax/pydicom/SC_rgb_jpeg_dcmtk.dcm",                // JPEG baseline, colour
      "transfer_syntax/pydicom-data/JPGLosslessP14SV1_1s_1f_8b.dcm",  // JPEG lossless
      "transfer_syntax/pydicom/MR_small_jpeg_ls_lossless.dcm",        // JPEG-LS
      "transfer_syntax/pydicom/JPEGLSNearLossless_08.dcm",            // JPEG-LS near-lossless
      "transfer_syntax/pydicom/MR_small_RLE.dcm",                     // RLE
      "transfer_syntax/pydicom/SC_rgb_rle.dcm",                       // RLE, colour
      "transfer_syntax/pydicom-data/emri_small_RLE.dcm",              // RLE, multi-frame
      "transfer_syntax/pydicom-data/eCT_Supplemental.dcm",            // enhanced CT, 2 frames
      "transfer_syntax/pydicom/JPEG2000.dcm",                         // JPEG 2000 (OpenJPEG)
      "transfer_syntax/pydicom/MR_small_jp2klossless.dcm",            // JPEG 2000 lossless
      // JPEG 2000, multi-frame
      "transfer_syntax/pydicom-data/emri_small_jpeg_2k_lossless.dcm",
  };
  int n = 0;
  for (const char* file : decodable) {
    auto header = ReadHeader(kData / "files" / file);
    ASSERT_TRUE(header.ok()) << file;
    EXPECT_TRUE(DescribeTransferSyntax(header->transfer_syntax_uid).decodable) << file;
    const fs::path png = dir.path() / (std::to_string(++n) + ".png");
    auto size = WriteKeyImage(kData / "files" / file, header->number_of_frames / 2, png);
    ASSERT_TRUE(size.ok()) << file << ": " << size.message();
    const PngCheck check = LookAt(png);
    EXPECT_EQ(check.width, size->width) << file;
    EXPECT_LE(std::max(check.width, check.height), 512) << file;
    EXPECT_GE(check.grey_levels, 2) << file << ": a flat image";
  }
}

// JPEG 2000 written by the synthetic series (OpenJPEG), decoded for the key image, then damaged.
TEST(KeyImage, Jpeg2000DecodedAndDamagedOnesFailCleanly) {
  TempDir dir;
  SyntheticSeriesSpec spec;
  spec.patient_name = "TEST^J2K";
  spec.slices = 1;
  spec.rows = 64;
  spec.columns = 48;
  spec.uid_seed = "key-image-j2k";
  spec.compression = "jpeg2000";
  auto images = WriteSyntheticDisc(dir.path() / "disc", spec);
  ASSERT_THAT(images, IsOk());
  auto header = ReadHeader((*images)[0]);
  ASSERT_THAT(header, IsOk());
  EXPECT_EQ(header->transfer_syntax_uid, "1.2.840.10008.1.2.4.90");
  auto size = WriteKeyImage((*images)[0], 0, dir.path() / "ok.png");
  ASSERT_THAT(size, IsOk());
  EXPECT_EQ(size->width, 48);
  EXPECT_EQ(size->height, 64);
  EXPECT_GE(LookAt(dir.path() / "ok.png").grey_levels, 3);

  std::string bytes;
  {
    std::ifstream in((*images)[0], std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const std::size_t codestream = bytes.find("\xff\x4f\xff\x51");  // SOC, SIZ
  ASSERT_NE(codestream, std::string::npos);
  const auto damaged = [&](const std::string& name, std::string content) {
    const fs::path path = dir.path() / name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  };
  std::string garbage = bytes;
  for (std::size_t i = codestream + 4; i < garbage.size(); i += 7) garbage[i] = '\x5a';
  std::string bigger = bytes;  // SIZ's Xsiz says 65535 wide: refused before decoding
  bigger[codestream + 8] = '\x00';
  bigger[codestream + 9] = '\x00';
  bigger[codestream + 10] = '\xff';
  bigger[codestream + 11] = '\xff';
  // Garbage may still decode to something (OpenJPEG is tolerant); the others must fail.
  (void)WriteKeyImage(damaged("garbage.dcm", garbage), 0, dir.path() / "garbage.png");
  for (const fs::path& file :
       {damaged("bigger.dcm", bigger), damaged("cut.dcm", bytes.substr(0, codestream + 60))}) {
    const fs::path png = dir.path() / "out.png";
    EXPECT_FALSE(WriteKeyImage(file, 0, png).ok()) << file;
    EXPECT_FALSE(fs::exists(png)) << file;
  }
}

TEST(KeyImage, UndecodableFilesFailCleanly) {
  SKIP_WITHOUT_SHARED_DATA();
  TempDir dir;
  const char* undecodable[] = {
      "transfer_syntax/pydicom-data/HTJ2K_08_RGB.dcm",    // HTJ2K: unknown to DCMTK
      "malformed/synthetic/truncated_in_pixel_data.dcm",  // pixels cut short
      "malformed/synthetic/jpeg_named_as_dcm.dcm",        // not DICOM at all
      "malformed/synthetic/empty_0_bytes.dcm",
      "malformed/orthanc/Issue56-NoPixelData.dcm",  // no pixels
  };
  for (const char* file : undecodable) {
    const fs::path png = dir.path() / "out.png";
    auto size = WriteKeyImage(kData / "files" / file, 0, png);
    EXPECT_FALSE(size.ok()) << file;
    EXPECT_FALSE(fs::exists(png)) << file << ": no half-written key image";
  }
}

TEST(Dicomdir, SyntheticDiscListsItsImages) {
  TempDir dir;
  SyntheticSeriesSpec spec;
  spec.patient_name = "テスト^ハナコ";
  spec.patient_id = "DIR1";
  spec.study_date = "20240101";
  spec.slices = 4;
  spec.rows = 16;
  spec.columns = 16;
  spec.uid_seed = "dicomdir-test";
  auto images = WriteSyntheticDisc(dir.path(), spec);
  ASSERT_THAT(images, IsOk());
  auto ids = ReadDicomdirFileIds(dir.path() / "DICOMDIR");
  ASSERT_THAT(ids, IsOk());
  ASSERT_EQ(ids->size(), 4u);
  EXPECT_EQ((*ids)[0], (FileIdComponents{"IMAGES", "IM000001"}));
  EXPECT_EQ((*ids)[3], (FileIdComponents{"IMAGES", "IM000004"}));
  EXPECT_FALSE(ReadDicomdirFileIds((*images)[0]).ok()) << "an image is not a DICOMDIR";
  EXPECT_FALSE(ReadDicomdirFileIds(dir.path() / "missing").ok());
}

TEST(Dicomdir, EveryVariantListsTheSameFiles) {
  SKIP_WITHOUT_SHARED_DATA();
  const fs::path disc = kData / "discs/pydicom_dicomdirtests";
  auto reference = ReadDicomdirFileIds(disc / "DICOMDIR");
  ASSERT_THAT(reference, IsOk());
  ASSERT_EQ(reference->size(), 31u);
  const std::set<FileIdComponents> expected(reference->begin(), reference->end());
  for (const FileIdComponents& id : expected) {
    fs::path file = disc;
    for (const auto& part : id) file /= part;
    EXPECT_TRUE(fs::exists(file)) << file;
  }
  // Big endian, implicit VR, offsets removed, records reordered, broken record types: the
  // records' file ids are read all the same (the hierarchy is not followed).
  for (const char* variant : {"DICOMDIR-bigEnd", "DICOMDIR-implicit", "DICOMDIR-nooffset",
                              "DICOMDIR-reordered", "DICOMDIR-nopatient"}) {
    auto ids = ReadDicomdirFileIds(disc / variant);
    ASSERT_TRUE(ids.ok()) << variant << ": " << ids.message();
    EXPECT_EQ(std::set<FileIdComponents>(ids->begin(), ids->end()), expected) << variant;
  }
  auto empty = ReadDicomdirFileIds(disc / "DICOMDIR-empty.dcm");
  ASSERT_THAT(empty, IsOk());
  EXPECT_TRUE(empty->empty());
}

TEST(Dicomdir, RealDiscs) {
  SKIP_WITHOUT_SHARED_DATA();
  const std::pair<const char*, std::size_t> discs[] = {
      {"jp_wakasa_mri_pdi", 67}, {"pydicom_tiny_alpha", 50}, {"clunie_charset_fileset", 11}};
  for (const auto& [disc, count] : discs) {
    auto ids = ReadDicomdirFileIds(kData / "discs" / disc / "DICOMDIR");
    ASSERT_TRUE(ids.ok()) << disc << ": " << ids.message();
    EXPECT_EQ(ids->size(), count) << disc;
  }
}

TEST(EncapsulatedPdf, RoundTripKeepsTheBytes) {
  TempDir dir;
  // An odd-length PDF: the DICOM value is padded to an even length, the extract is not.
  const std::string pdf_bytes =
      "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
  ASSERT_EQ(pdf_bytes.size() % 2, 1u);
  std::ofstream(dir.path() / "in.pdf", std::ios::binary) << pdf_bytes;
  SyntheticSeriesSpec spec;
  spec.patient_name = "ヤマダ^ハナコ=山田^花子";
  spec.patient_id = "PDF1";
  spec.study_date = "20240101";
  spec.uid_seed = "encapsulated-pdf-test";
  const fs::path dcm = dir.path() / "REPORT";
  ASSERT_THAT(WriteSyntheticEncapsulatedPdf(dcm, dir.path() / "in.pdf", spec), IsOk());

  auto header = ReadHeader(dcm);
  ASSERT_THAT(header, IsOk());
  EXPECT_EQ(header->sop_class_uid, kEncapsulatedPdfSopClass);
  EXPECT_EQ(header->modality, "DOC");
  EXPECT_FALSE(header->has_pixel_data);
  EXPECT_FALSE(header->truncated);

  ASSERT_THAT(ExtractEncapsulatedPdf(dcm, dir.path() / "out.pdf"), IsOk());
  std::ifstream in(dir.path() / "out.pdf", std::ios::binary);
  const std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(out, pdf_bytes);

  // Not an encapsulated PDF: refused, nothing written.
  auto images = WriteSyntheticDisc(dir.path() / "disc", [] {
    SyntheticSeriesSpec s;
    s.patient_id = "X";
    s.slices = 1;
    s.rows = 16;
    s.columns = 16;
    s.uid_seed = "not-a-pdf";
    return s;
  }());
  ASSERT_THAT(images, IsOk());
  EXPECT_FALSE(ExtractEncapsulatedPdf((*images)[0], dir.path() / "no.pdf").ok());
  EXPECT_FALSE(fs::exists(dir.path() / "no.pdf"));
}

}  // namespace
}  // namespace intake::dicom
