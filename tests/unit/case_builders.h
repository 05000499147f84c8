// Small builders of Case model values for tests that construct a Case by hand.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/case_model.h"

namespace intake::testing {

// Text every page built here carries; reports must never show it.
inline constexpr const char* kSecretPageText = "ページ本文の秘密（レポートには出さない）";

inline SourceFile File(std::string id, std::string path, FileKind kind, std::uint64_t size,
                       std::string container = {}, std::string mime = {}) {
  SourceFile f;
  f.id = std::move(id);
  f.relative_path = std::move(path);
  f.kind = kind;
  f.size = size;
  f.container_id = std::move(container);
  f.mime = std::move(mime);
  return f;
}

inline Page MakePage(std::string id, std::string file_id, int number, std::string type,
                     double score, TextSource source, std::optional<double> ocr_confidence) {
  Page p;
  p.id = std::move(id);
  p.file_id = std::move(file_id);
  p.number_in_file = number;
  p.doc_type = std::move(type);
  p.type_score = score;
  p.text_source = source;
  p.ocr_confidence = ocr_confidence;
  p.text = kSecretPageText;
  p.evidence = {"診療情報提供書"};
  return p;
}

inline Document Doc(std::string id, std::string type, std::vector<std::string> pages,
                    double confidence) {
  return Document{std::move(id), std::move(type), std::move(pages), confidence};
}

inline RequirementResult Req(std::string id, std::string label, RequirementStatus status,
                             std::vector<std::string> evidence, std::string reason = {},
                             std::string ask = {}) {
  RequirementResult r;
  r.id = std::move(id);
  r.label = std::move(label);
  r.status = status;
  r.evidence_document_ids = std::move(evidence);
  r.reason = std::move(reason);
  r.ask = std::move(ask);
  return r;
}

}  // namespace intake::testing
