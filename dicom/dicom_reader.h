// DICOM adapter: header-only reading of one file with DCMTK, into our own value types.
//
// No DCMTK type appears here. Values longer than a few kilobytes (Pixel Data, an encapsulated
// document) are skipped, not read, so a header costs well under a millisecond; walking past them
// still tells a file cut short (a disc copy that broke off) from a whole one. Text values are
// converted to UTF-8 (Japanese character sets included).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/result.h"

namespace intake::dicom {

struct DicomHeader {
  std::string sop_class_uid;
  std::string sop_instance_uid;
  std::string transfer_syntax_uid;
  std::string specific_character_set;  // as written, e.g. "ISO 2022 IR 13\\ISO 2022 IR 87"
  std::string patient_id;
  std::string patient_name;        // UTF-8; component groups joined by '='
  std::string patient_birth_date;  // YYYY-MM-DD or empty
  std::string patient_sex;
  std::string study_uid;
  std::string study_date;  // YYYY-MM-DD or empty
  std::string study_description;
  std::string series_uid;
  std::string series_date;  // YYYY-MM-DD or empty
  std::string series_description;
  std::string modality;
  std::string body_part;
  std::string institution_name;         // UTF-8
  std::optional<int> series_number;     // (0020,0011)
  std::optional<int> instance_number;   // (0020,0013)
  int number_of_frames = 1;             // (0028,0008); 1 when absent
  std::string lossy_image_compression;  // (0028,2110): "00", "01" or ""
  bool has_pixel_data = false;          // a Pixel Data element (float pixel data included)
  // The file ends before its data does (cut inside Pixel Data or a later element): the header
  // above is usable, the pixels are not.
  bool truncated = false;
  bool is_dicomdir = false;  // Media Storage Directory Storage
};

// SOP Class UID of Encapsulated PDF Storage.
inline constexpr std::string_view kEncapsulatedPdfSopClass = "1.2.840.10008.5.1.4.1.1.104.1";

// True when the bytes look like DICOM: "DICM" at offset 128, or (no preamble) a plausible
// group 0002/0008 element at offset 0. Cheap: reads at most 256 bytes.
bool LooksLikeDicom(const std::filesystem::path& path);

// Reads the header. Fails (message without file content) on a file DCMTK cannot parse or that
// has no SOP Instance UID / Study / Series UID and is not a DICOMDIR. A file whose header is
// complete but that ends too early succeeds with `truncated` set.
Result<DicomHeader> ReadHeader(const std::filesystem::path& path);

// Writes the Encapsulated Document (0042,0011) of an Encapsulated PDF instance to `out` (the
// value's trailing pad byte removed, cut to Encapsulated Document Length when given). Fails when
// the file is not such an instance or the value cannot be read or written.
Status ExtractEncapsulatedPdf(const std::filesystem::path& dicom_file,
                              const std::filesystem::path& out);

// DCMTK version string, for the report.
std::string LibraryVersion();

// Helpers of the adapter, also used by its tests.
// Valid UTF-8 from arbitrary bytes: valid sequences kept, each invalid byte -> U+FFFD, ISO 2022
// escape sequences dropped and the two-byte characters they introduce -> U+FFFD, C0 controls
// other than tab/CR/LF dropped.
std::string SanitizeToUtf8(std::string_view raw);
// Removes DICOM padding: trailing spaces and NULs, leading spaces.
std::string TrimDicomPadding(std::string_view value);
// DA "YYYYMMDD" (or ACR-NEMA "YYYY.MM.DD") -> "YYYY-MM-DD"; empty for anything else.
std::string FormatDicomDate(std::string_view value);
// Turns DCMTK's own console logging off (it could print values from files). Idempotent,
// thread-safe; called by every function of this adapter.
void QuietDcmtkLogging();

}  // namespace intake::dicom
