// The details of a case_processed (or case_failed) audit record, built from the Case model.
//
// Only what QA needs to say what came in, what was decided and on what evidence, with which
// configuration and versions: hashes, ids, document types, page numbers, codes, counts. Never
// names, file names, page text, fact values or DICOM values (docs/audit-trail.md lists every
// field).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/case_model.h"

namespace intake::audit {

struct ModelFile {
  std::string name;  // "jpn.traineddata"
  std::uint64_t size = 0;
  std::string sha256;  // empty when unknown
};

// The configuration and versions a case was processed with.
struct ProcessingContext {
  std::string program_version;  // "intake 0.1.0"
  std::string ocr_engine;       // "tesseract 5.3.0 (jpn)"
  std::vector<ModelFile> ocr_models;
  std::string dicom_library;  // "DCMTK 3.6.7"
};

// `file_sha256`: SourceFile id -> SHA-256 of its bytes (files missing from it are recorded with
// a null hash: skipped or unreadable entries). `duration_ms` < 0: not recorded.
nlohmann::json CaseProcessedDetails(const Case& c, const ProcessingContext& context,
                                    const std::map<std::string, std::string>& file_sha256,
                                    std::int64_t duration_ms = -1);

// For a case that stopped before its report: what came in, with which configuration, and the
// failure's message (messages are safe to log, pipeline/result.h; one holding non-ASCII text is
// left out all the same).
nlohmann::json CaseFailedDetails(const Case& c, const ProcessingContext& context,
                                 std::string_view error_message);

}  // namespace intake::audit
