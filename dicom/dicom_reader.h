// DICOM adapter: header-only reading of one file with DCMTK, into our own value types.
//
// No DCMTK type appears here. Reading stops before Pixel Data, so a header costs well under a
// millisecond. Text values are converted to UTF-8 (Japanese character sets included).
#pragma once

#include <filesystem>
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
  std::string institution_name;  // UTF-8
  bool is_dicomdir = false;      // Media Storage Directory Storage
};

// True when the bytes look like DICOM: "DICM" at offset 128, or (no preamble) a plausible
// group 0002/0008 element at offset 0. Cheap: reads at most 256 bytes.
bool LooksLikeDicom(const std::filesystem::path& path);

// Reads the header. Fails (message without file content) on a file DCMTK cannot parse or that
// has no SOP Instance UID / Study / Series UID and is not a DICOMDIR.
Result<DicomHeader> ReadHeader(const std::filesystem::path& path);

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
