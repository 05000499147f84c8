// Helpers shared by the report writers (internal to report/): lookups over the Case model that
// report.json and report.html must answer the same way, and UTF-8 repair for strings from the
// submission.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/case_model.h"
#include "report/report_context.h"

namespace intake::report {

// The facts every report shows, in this order, known or not.
inline constexpr std::array<std::string_view, 6> kContractFacts{"attendance",  "living_together",
                                                                "department",  "patient_birth_date",
                                                                "patient_age", "diagnosis"};

// Document type id reports give DICOM imaging (the profile's `dicom_images`) when it is evidence
// (kImagingEvidence in RequirementResult::evidence_document_ids).
inline constexpr std::string_view kImagingType = "dicom_images";

// Returns `text` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string ValidUtf8(std::string_view text);

// The Japanese label of a document type: from the profile, else a built-in one, else the id.
std::string DocumentTypeLabel(const ReportContext& context, std::string_view type);

const Document* FindDocument(const Case& c, std::string_view document_id);

// The file of a document's first page ("" when the document has no known page).
std::string DocumentFileId(const Case& c, const Document& document);

// The envelope (Case::envelopes, from 1) a document came in: its first page's file's.
int DocumentEnvelope(const Case& c, const Document& document);

// Page numbers within the file (Page::number_in_file), in the document's order; unknown page ids
// are skipped.
std::vector<int> DocumentPageNumbers(const Case& c, const Document& document);

// "pdf_text", "ocr" or "none" when every page agrees, "mixed" otherwise ("none" for no pages).
std::string DocumentTextSource(const Case& c, const Document& document);

// Lowest OCR confidence of the document's OCR'd pages; negative when none was OCR'd.
double DocumentMinOcrConfidence(const Case& c, const Document& document);

}  // namespace intake::report
