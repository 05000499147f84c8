// The reply slip's QR code payload: which case a follow-up envelope belongs to.
//
// The letter to the patient (letter/patient_letter.h) prints a QR code holding
// "INTAKE-CASE:<case id>" in upper case (QR's alphanumeric mode: a smaller, sturdier code), and a
// follow-up whose scanned page shows it is attached to that case (followup/). The prefix keeps
// other QR codes (an insurance card's, a pharmacy's) from being taken for a case. Pure functions.
// MayShowReplySlip tells from a page's OCR text whether its image is worth a QR search (~40 ms a
// page: on every scanned page it cost more than a tenth of a 40-page scan's run).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace intake::letter {

// "INTAKE-CASE:20261121-1A2B3C4D" for case "20261121-1a2b3c4d".
std::string ReplySlipPayload(std::string_view case_id);

// The case id ("20261121-1a2b3c4d") a decoded QR text names, or nullopt when it is not a reply
// slip's.
std::optional<std::string> CaseIdFromReplySlip(std::string_view text);

// True for a case id as intake makes them: 8 digits, '-', 8 lower-case hex digits.
bool LooksLikeCaseId(std::string_view text);

// Whether OCR text (UTF-8, spaces anywhere) may be that of a page showing the reply slip: it
// names any of the slip's printed words (返信用紙, 受付番号, キリトリ線, 切り取り, QRコード) or
// holds a case id's 8 digits and hyphen. Each is enough, so a slip read badly in places still
// passes; the words are rare on the documents a slip comes with.
bool MayShowReplySlip(std::string_view ocr_text);

}  // namespace intake::letter
