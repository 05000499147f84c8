// The letter to the patient (不足書類のご案内.pdf): what the hospital still needs, by when, where
// to send it, and a reply slip with the case's QR code to put on top of the documents.
//
// One A4 page (a second when the list of items is long, the reply slip then on its own page), in
// Japanese, laid out with pango and written by cairo's PDF backend: the text is real text (a
// search or pdftotext finds every item, the case id and the deadline) in Noto Sans CJK JP,
// subset and embedded, so it prints the same anywhere. The QR code is drawn as vector squares.
// The content comes from the case and the profile (stages/write_letter.h); this file only lays it
// out. Thread-safe: each call owns its surfaces.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/result.h"

namespace intake::letter {

// The file name in the case folder.
inline constexpr const char* kLetterFileName = "不足書類のご案内.pdf";

struct LetterItem {
  std::string label;   // the requirement's label (相談同意書)
  std::string ask;     // in the patient's words (the profile's `ask`)
  bool resend = false; // sent but must be sent again (unreadable, not acceptable)
};

struct PatientLetter {
  std::string case_id;        // printed, and in the QR code
  std::string addressee;      // 山田 太郎 (様 is added); empty: お申込者
  std::string hospital;       // the profile's name
  std::string letter_date;    // YYYY-MM-DD
  std::string received_date;  // YYYY-MM-DD
  std::string deadline;       // YYYY-MM-DD
  std::string office;
  std::string address;
  std::string phone;
  std::string hours;
  std::string how_to_send;
  std::vector<LetterItem> items;
};

// "2026年11月21日" from "2026-11-21" (the text as given when it is not an ISO date).
std::string JapaneseDate(const std::string& iso_date);

// Writes the letter as a PDF at `path` (replaced whole). Fails when cairo cannot write it.
Status WritePatientLetter(const std::filesystem::path& path, const PatientLetter& letter);

}  // namespace intake::letter
