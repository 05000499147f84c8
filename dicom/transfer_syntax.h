// Transfer syntaxes: what a UID is called, whether it compresses with loss, and whether the
// pixels can be decoded here (DCMTK 3.6.7 as Debian ships it: native, deflate, JPEG, JPEG-LS and
// RLE yes; JPEG 2000 Part 1 yes with OpenJPEG; JPEG 2000 Part 2, HTJ2K and video no).
//
// Our own table of the UIDs of DICOM PS3.6 Annex A; pure data, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace intake::dicom {

enum class Lossiness {
  kLossless,  // never loses information (native, deflate, RLE, JPEG lossless, JPEG-LS lossless)
  kLossy,     // always lossy (JPEG baseline/extended, video)
  kEither,    // lossy or not depending on the encoder (JPEG 2000, JPEG-LS near-lossless)
  kUnknown,   // a UID not in the table
};

struct TransferSyntaxInfo {
  std::string_view uid;
  std::string_view name;  // "JPEG Lossless, Non-Hierarchical, First-Order Prediction"
  Lossiness lossiness = Lossiness::kUnknown;
  bool decodable = false;  // pixels can be decoded with the codecs registered here
  bool encapsulated = false;
};

// The table entry for `uid` (its views point into the static table); for an unknown UID an entry
// with empty uid and name, kUnknown and decodable = false. An empty UID (a file without meta
// header whose encoding was not recognised) is taken as Implicit VR Little Endian.
TransferSyntaxInfo DescribeTransferSyntax(std::string_view uid);

// The name from the table, or the UID itself when it is unknown.
std::string TransferSyntaxName(std::string_view uid);

// Whether an instance's pixels were compressed with loss: the Lossy Image Compression attribute
// (0028,2110) says "01", or the transfer syntax always loses, or it may lose and the attribute
// does not say "00".
bool IsLossy(std::string_view transfer_syntax_uid, std::string_view lossy_image_compression);

// Japanese, for staff: why pixels of this transfer syntax cannot be decoded here ("" when they
// can), e.g. "HTJ2K の画像は、この環境の DCMTK 3.6.7 では表示用に展開できません".
std::string UndecodableReason(std::string_view transfer_syntax_uid);

}  // namespace intake::dicom
