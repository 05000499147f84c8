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

inline DicomSeries Series(std::string uid, std::string modality, std::string description,
                          std::string body_part, std::string date, int instance_count,
                          std::string transfer_syntax, std::vector<std::string> file_ids) {
  DicomSeries s;
  s.series_uid = std::move(uid);
  s.modality = std::move(modality);
  s.description = std::move(description);
  s.body_part = std::move(body_part);
  s.date = std::move(date);
  s.instance_count = instance_count;
  s.transfer_syntax = std::move(transfer_syntax);
  s.file_ids = std::move(file_ids);
  return s;
}

inline DicomPatient Patient(std::string id, std::string name, std::string birth_date,
                            std::string sex, std::vector<DicomStudy> studies) {
  DicomPatient p;
  p.patient_id = std::move(id);
  p.name = std::move(name);
  p.birth_date = std::move(birth_date);
  p.sex = std::move(sex);
  p.studies = std::move(studies);
  return p;
}

}  // namespace intake::testing
