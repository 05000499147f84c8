// What a report shows besides the Case: versions and the profile's Japanese labels.
#pragma once

#include <map>
#include <string>

#include "pipeline/findings.h"

namespace intake::report {

struct ReportContext {
  std::string program_version;  // "intake 0.1.0"
  std::string profile_id;
  std::string profile_name;                                 // Japanese, from the profile
  std::string ocr_engine;                                   // "tesseract 5.3.0 (jpn)"
  std::string dicom_library;                                // "DCMTK 3.6.7"
  std::map<std::string, std::string> document_type_labels;  // type id -> Japanese label
  double min_confidence = 0.5;      // the profile's: a document classified below is highlighted
  double low_ocr_confidence = kLowOcrConfidence;  // the OCR stage's: pages below are highlighted
};

}  // namespace intake::report
