// Writes a small synthetic DICOM series with DCMTK: used by the sample generator and by tests.
//
// The images are a made-up phantom (circles of different density), never real patient data.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/result.h"

namespace intake::dicom {

struct SyntheticSeriesSpec {
  std::string patient_name;  // UTF-8, e.g. "ヤマダ^タロウ=山田^太郎" (written as ISO_IR 192)
  std::string patient_id;
  std::string patient_birth_date;  // YYYYMMDD
  std::string patient_sex;         // "M", "F", "O"
  std::string study_date;          // YYYYMMDD
  std::string study_description;
  std::string series_description;
  std::string modality = "CT";
  std::string body_part = "ABDOMEN";
  int slices = 8;
  int rows = 128;
  int columns = 128;
  std::string uid_seed;  // deterministic UIDs derived from this string
  // How the pixels are stored: "" (Explicit VR Little Endian), "jpeg-lossless" (JPEG Lossless
  // SV1, DCMTK's encoder) or "jpeg2000" (JPEG 2000 lossless, OpenJPEG).
  std::string compression;
};

// Writes a disc-like tree under `root`: DICOMDIR at the top and the images as
// IMAGES/IM000001.. (8-character upper-case ids, no extension). Returns the image paths.
Result<std::vector<std::filesystem::path>> WriteSyntheticDisc(const std::filesystem::path& root,
                                                              const SyntheticSeriesSpec& spec);

// Writes an Encapsulated PDF Storage instance at `out` holding the bytes of `pdf` (a report as
// an imaging system stores it), for the patient and study of `spec` (modality DOC, its own
// series).
Status WriteSyntheticEncapsulatedPdf(const std::filesystem::path& out,
                                     const std::filesystem::path& pdf,
                                     const SyntheticSeriesSpec& spec);

}  // namespace intake::dicom
