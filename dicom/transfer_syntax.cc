#include "dicom/transfer_syntax.h"

#include <array>

#include "dicom/dicom_reader.h"

namespace intake::dicom {
namespace {

using L = Lossiness;

// PS3.6 Annex A. `decodable` reflects the codecs DCMTK 3.6.7 brings and we register: dcmdata
// (native, deflate), dcmjpeg (baseline, extended, spectral selection, progressive, lossless
// process 14 and SV1), dcmjpls (JPEG-LS, through its bundled CharLS 1.0) and dcmdata's RLE;
// JPEG 2000 Part 1 (lossless and lossy) with OpenJPEG (dicom/codecs.h).
constexpr std::array kTable{
    TransferSyntaxInfo{"1.2.840.10008.1.2", "Implicit VR Little Endian", L::kLossless, true, false},
    TransferSyntaxInfo{"1.2.840.10008.1.2.1", "Explicit VR Little Endian", L::kLossless, true,
                       false},
    TransferSyntaxInfo{"1.2.840.10008.1.2.1.98",
                       "Encapsulated Uncompressed Explicit VR Little Endian", L::kLossless, false,
                       true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", L::kLossless,
                       true, false},
    TransferSyntaxInfo{"1.2.840.10008.1.2.2", "Explicit VR Big Endian", L::kLossless, true, false},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", L::kLossy, true,
                       true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)", L::kLossy, true,
                       true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.53",
                       "JPEG Spectral Selection, Non-Hierarchical (Process 6 & 8)", L::kLossy, true,
                       true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.55",
                       "JPEG Full Progression, Non-Hierarchical (Process 10 & 12)", L::kLossy, true,
                       true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)",
                       L::kLossless, true, true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.70",
                       "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 "
                       "[Selection Value 1])",
                       L::kLossless, true, true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.80", "JPEG-LS Lossless Image Compression", L::kLossless,
                       true, true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless) Image Compression",
                       L::kEither, true, true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)",
                       L::kLossless, true, true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression", L::kEither, true,
                       true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.92",
                       "JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)",
                       L::kLossless, false, true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.93",
                       "JPEG 2000 Part 2 Multi-component Image Compression", L::kEither, false,
                       true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.94", "JPIP Referenced", L::kEither, false, false},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.95", "JPIP Referenced Deflate", L::kEither, false,
                       false},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.100", "MPEG2 Main Profile / Main Level", L::kLossy,
                       false, true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.100.1", "Fragmentable MPEG2 Main Profile / Main Level",
                       L::kLossy, false, true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.101", "MPEG2 Main Profile / High Level", L::kLossy,
                       false, true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.101.1", "Fragmentable MPEG2 Main Profile / High Level",
                       L::kLossy, false, true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264 High Profile / Level 4.1",
                       L::kLossy, false, true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.102.1",
                       "Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.1", L::kLossy, false,
                       true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.103",
                       "MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1", L::kLossy, false,
                       true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.103.1",
                       "Fragmentable MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1",
                       L::kLossy, false, true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.104",
                       "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video", L::kLossy, false,
                       true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.104.1",
                       "Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video",
                       L::kLossy, false, true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.105",
                       "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video", L::kLossy, false,
                       true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.105.1",
                       "Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video",
                       L::kLossy, false, true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.106",
                       "MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2", L::kLossy, false, true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.106.1",
                       "Fragmentable MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2", L::kLossy,
                       false, true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.107", "HEVC/H.265 Main Profile / Level 5.1", L::kLossy,
                       false, true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.108", "HEVC/H.265 Main 10 Profile / Level 5.1",
                       L::kLossy, false, true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.201",
                       "High-Throughput JPEG 2000 Image Compression (Lossless Only)", L::kLossless,
                       false, true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.202",
                       "High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless "
                       "Only)",
                       L::kLossless, false, true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000 Image Compression",
                       L::kEither, false, true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.204", "JPEG XL Lossless", L::kLossless, false, true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.205", "JPEG XL JPEG Recompression", L::kLossy, false,
                       true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.4.206", "JPEG XL", L::kEither, false, true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.5", "RLE Lossless", L::kLossless, true, true},
    TransferSyntaxInfo{"1.2.840.10008.1.2.8.1", "Deflated Image Frame Compression", L::kLossless,
                       false, true},
};

}  // namespace

TransferSyntaxInfo DescribeTransferSyntax(std::string_view uid) {
  if (uid.empty()) uid = "1.2.840.10008.1.2";
  for (const auto& info : kTable) {
    if (info.uid == uid) return info;
  }
  return TransferSyntaxInfo{};
}

std::string TransferSyntaxName(std::string_view uid) {
  const TransferSyntaxInfo info = DescribeTransferSyntax(uid);
  return std::string(info.name.empty() ? uid : info.name);
}

bool IsLossy(std::string_view transfer_syntax_uid, std::string_view lossy_image_compression) {
  if (lossy_image_compression == "01") return true;
  switch (DescribeTransferSyntax(transfer_syntax_uid).lossiness) {
    case Lossiness::kLossy:
      return true;
    case Lossiness::kEither:
      return lossy_image_compression != "00";
    case Lossiness::kLossless:
    case Lossiness::kUnknown:
      return false;
  }
  return false;
}

std::string UndecodableReason(std::string_view transfer_syntax_uid) {
  const TransferSyntaxInfo info = DescribeTransferSyntax(transfer_syntax_uid);
  if (info.decodable) return {};
  if (info.lossiness == Lossiness::kUnknown) {
    return "未知の転送構文（" + std::string(transfer_syntax_uid) + "）のため、この環境の " +
           LibraryVersion() + " では画像を展開できません";
  }
  return std::string(info.name) + " の画像は、この環境の " + LibraryVersion() +
         " では展開できません（ヘッダーは読み取り済み）";
}

}  // namespace intake::dicom
