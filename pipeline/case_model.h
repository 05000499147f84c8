// The in-memory Case: everything the pipeline learns about one submission.
//
// Each stage reads and enriches one Case (files -> pages -> documents, DICOM summaries, facts,
// findings, requirement results). Rules and report writers read only this model, never files.
// Strings that come from the submission (file names, text, DICOM values) are patient data: they
// go into reports only, never into logs (see pipeline/redacted.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "pipeline/findings.h"

namespace intake {

// What a file is, decided by its content (stages/identify), not by its name.
enum class FileKind {
  kUnknown,
  kPdf,
  kTiff,
  kJpeg,
  kPng,
  kBmp,
  kGif,
  kHeif,  // HEIC (an iPhone's photos) and AVIF, read with libheif
  kWebp,
  kJpeg2000,
  kPnm,  // PGM, PPM, PBM
  kDicom,
  kDicomdir,
  kArchive,   // zip, 7z, tar.*, ISO 9660: unpacked by stages/unpack
  kManifest,  // intake.yaml / intake.json at the top level of the submission
  kText,
  kExecutable,  // viewer software on discs: noted, never run
  kEmpty,
};
std::string_view FileKindName(FileKind kind);
// The kind in the words staff read (JPEG画像, 圧縮ファイル・ディスクイメージ …), for reports.
std::string_view FileKindWord(FileKind kind);

// One file of the submission, after unpacking.
struct SourceFile {
  std::string id;              // "f0001": stable within the case, safe to log
  std::filesystem::path path;  // where it can be read now (in place, or in the work area)
  std::string relative_path;   // path inside the submission (patient data: report only)
  std::string container_id;    // id of the archive it came from, or empty
  FileKind kind = FileKind::kUnknown;
  std::string mime;  // as sniffed from content
  std::uint64_t size = 0;
  int envelope = 1;  // the envelope (Case::envelopes) it came in, from 1
};

enum class TextSource { kNone, kPdfTextLayer, kOcr };
std::string_view TextSourceName(TextSource source);

// A rectangle in pixels of a page image (Page::read_image), from its top-left corner.
struct PixelRect {
  int left = 0;
  int top = 0;
  int width = 0;
  int height = 0;
};

// A word of a text line and its box (OCR's words, or the words of a PDF's text layer).
struct TextWord {
  PixelRect box;
  std::string text;  // UTF-8 (patient data)
};

// A line of text and its box, in pixels of the page image (Page::read_image).
struct TextLine {
  int left = 0;
  int top = 0;
  int width = 0;
  int height = 0;
  bool vertical = false;  // a column of vertical writing
  std::string text;       // UTF-8 (patient data)
  // The line held a My Number (stages/screen): masked in `text`, painted over in the page image
  // of the searchable PDF.
  bool redact = false;
  std::vector<TextWord> words = {};  // in reading order; none when only the line is known
};

// One page: a PDF page, a TIFF frame, or a photo.
struct Page {
  std::string id;          // "p0001", in submission order
  std::string file_id;     // SourceFile::id
  int number_in_file = 1;  // 1-based
  // Image to OCR when the page has no usable text layer: the source image itself, frame
  // `image_frame` (0-based, multi-page TIFF); or, for a PDF page without one, nothing: the page
  // is drawn at `pdf_render_dpi` when OCR reads it.
  std::filesystem::path image_path;
  int image_frame = 0;
  double pdf_render_dpi = 0;
  bool needs_ocr = false;

  TextSource text_source = TextSource::kNone;
  std::string text;                      // UTF-8, as extracted (patient data)
  std::optional<double> ocr_confidence;  // 0..1, only for OCR'd pages

  // What OCR read (stages/ocr): the upright, straightened page image kept in the work area
  // (JPEG, or PNG when bilevel) with its size and resolution, and the text lines in it, for the
  // searchable PDF (stages/write_documents). A page with a PDF text layer gets them when its PDF
  // is written: the page as drawn for it and the text layer's words (stages/write_documents).
  std::filesystem::path read_image;
  int read_image_width = 0;
  int read_image_height = 0;
  int read_image_dpi = 0;
  std::vector<TextLine> lines;
  int rotation_degrees = 0;    // clockwise turn OCR applied to make the page upright
  bool vertical_text = false;  // read (partly) as vertical writing

  // The case id of the letter's reply slip whose QR code the page shows (followup/: read from
  // read_image); such a page is the slip, not a document of a type, whatever its text names.
  std::string reply_slip_case;

  // Classification (stages/classify).
  std::string doc_type = "other";
  double type_score = 0.0;            // 0..1 confidence of doc_type
  std::vector<std::string> evidence;  // keywords that matched (from the profile, not the page)
  // Where those keywords stand on the page image (stages/page_evidence).
  std::vector<PixelRect> evidence_boxes = {};

  // The page image and what was read from it, kept in the case folder for the review screen
  // (stages/page_evidence): relative to the case folder (".pages/p0001.jpg", ".pages/p0001.json");
  // empty when the page has no image.
  std::string view_image = {};
  std::string view_text = {};
};

// The document type of pages no type of the profile fits, and its label in the reports and the
// case folder's file names.
inline constexpr const char* kOtherType = "other";
inline constexpr const char* kOtherTypeLabel = "その他の書類";

// Consecutive pages of one document type (stages/classify splits a batch into documents).
struct Document {
  std::string id;    // "d001"
  std::string type;  // document type id from the profile, or "other"
  std::vector<std::string> page_ids;
  double confidence = 0.0;  // best page score in the document
  // Searchable PDF of the document, relative to the case folder
  // ("01_紹介状/01_診療情報提供書（紹介状）.pdf"); empty when none was written
  // (stages/write_documents, stages/case_folder).
  std::string pdf = {};
};

// DICOM imaging, grouped by UIDs (stages/dicom).
struct DicomSeries {
  std::string series_uid;
  std::string modality;
  std::string description;
  std::string body_part;
  std::string date;  // YYYY-MM-DD or empty
  int instance_count = 0;
  std::string transfer_syntax;       // UID of the first instance
  std::string transfer_syntax_name;  // its name ("JPEG Lossless ..."), the UID when unknown
  bool lossy = false;                // some instance was compressed with loss
  bool pixels_decodable = false;     // the pixels can be decoded here (a key image is possible)
  std::string pixels_note;           // Japanese: why not decodable / why no key image, or empty
  // Relative to the case folder: the key image ("09_画像/…/キー画像.png") and the folder with
  // the series' DICOM files (stages/case_folder); empty when there is none.
  std::string key_image;
  std::string folder;
  std::vector<std::string> file_ids;
};
struct DicomStudy {
  std::string study_uid;
  std::string date;  // YYYY-MM-DD or empty
  std::string description;
  std::string modalities;  // e.g. "CT" or "CT\\SR"
  std::vector<DicomSeries> series;
};
// The DICOM patient compared with the documents' patient (stages/crosscheck).
enum class PatientMatch { kNotChecked, kMatch, kMismatch, kNotComparable };
std::string_view PatientMatchName(PatientMatch match);
struct DicomPatient {
  std::string patient_id;
  std::string name;  // UTF-8, as decoded: groups alphabetic=ideographic=phonetic, '^' inside
  // The name's groups, components joined by a space ("山田 太郎"); empty when absent.
  std::string name_alphabetic;
  std::string name_ideographic;
  std::string name_phonetic;
  std::string birth_date;  // YYYY-MM-DD or empty
  std::string sex;
  std::vector<DicomStudy> studies;
  PatientMatch document_match = PatientMatch::kNotChecked;
  std::string document_match_note;  // Japanese: which fields agree or differ
};

// A case fact with provenance. `value` monostate means unknown.
using FactValue = std::variant<std::monostate, std::string, bool, std::int64_t>;
struct FactSource {
  std::string document_id;  // empty when from the manifest
  std::string page_id;
  bool from_manifest = false;
  // The page's text the fact was read from, in match form (text/text_normalize.h: the label
  // and what follows it on its line), for finding its words on the page; in memory only.
  std::string matched = {};
  // The boxes of those words (or of their line) on the page image (stages/page_evidence).
  std::vector<PixelRect> boxes = {};
};
struct Fact {
  std::string name;  // attendance, living_together, department, ...
  FactValue value;
  double confidence = 0.0;  // 0..1; 1 for the manifest
  FactSource source;
  // The text as read, when a domain word corrected an OCR misreading in it (stages/domain_words):
  // the report shows both. Empty otherwise.
  std::string read_as = {};
  bool known() const { return !std::holds_alternative<std::monostate>(value); }
};

struct Finding {
  FindingCode code = FindingCode::kCorruptFile;  // pipeline/finding_codes.def
  Severity severity = Severity::kInfo;           // the code's, unless a stage lowers it
  std::string message;  // Japanese, for staff; may name files of the submission
  std::string file_id;  // the file concerned, if any
};

enum class RequirementStatus { kPresent, kMissing, kNeedsReview, kNotRequired };
std::string_view RequirementStatusName(RequirementStatus status);

// Evidence id standing for the case's DICOM imaging (not a Document) in
// RequirementResult::evidence_document_ids.
inline constexpr const char* kImagingEvidence = "imaging";

struct RequirementResult {
  std::string id;
  std::string label;  // Japanese, from the profile
  RequirementStatus status = RequirementStatus::kMissing;
  std::vector<std::string> evidence_document_ids;  // Document ids or kImagingEvidence
  std::string reason;                              // Japanese: why this status
  // Why this status, as a stable code for the audit trail (no text from the case):
  // evidence_found, condition_not_met, no_document, too_few_documents (fewer than the count),
  // low_confidence (documents found but their type or acceptability is uncertain),
  // acceptability_unknown (a fact deciding whether a found document is acceptable is unknown),
  // count_unknown (the fact giving how many are needed is unknown), need_unknown (a fact deciding
  // whether it is required is unknown).
  std::string reason_code;
  std::string ask;  // Japanese: what to ask the patient for (when missing)
};

enum class Verdict { kComplete, kIncomplete, kNeedsReview, kRejected };
std::string_view VerdictName(Verdict verdict);
// The verdict named `name` ("complete", ...), or nullopt.
std::optional<Verdict> ParseVerdict(std::string_view name);

// One envelope (submission) of a case. A case spans several when what was missing comes later in
// an envelope of its own (followup/); they are numbered from 1 in the order received, and each
// is kept as received under 11_原本/ (the first as before, the others in 封筒N/).
struct Envelope {
  int number = 1;
  std::string name;         // file or folder name (patient data: report only)
  std::string sha256;       // of the envelope's bytes (folders: of a sorted listing)
  std::string received_at;  // ISO 8601 local time
  // Relative to the case folder: the kept original and its SHA256SUMS (stages/case_folder).
  std::string original;
  std::string original_sums;
  // How a later envelope was found to belong to the case: reply_slip (the letter's QR code),
  // manifest (`case: ID`), file_name (the case id in a file or folder name) or identity (the
  // patient's name and birth date; staff confirm: FOLLOWUP_MATCHED). Empty for the first.
  std::string matched_by;
};

// The letter to the patient (stages/write_letter), when something must come from them.
struct PatientLetterRecord {
  std::string file;      // relative to the case folder ("不足書類のご案内.pdf")
  std::string date;      // YYYY-MM-DD, the letter's date
  std::string deadline;  // YYYY-MM-DD, the deadline it gives
  std::vector<std::string> requirement_ids;  // what it asks for, in the profile's order
};

struct Case {
  std::string id;                  // "20261121-1a2b3c4d"
  std::string submission_sha256;   // of the submission's bytes (folders: of a sorted listing)
  std::string submission_name;     // file or folder name (patient data: report only)
  std::string received_at;         // ISO 8601 local time
  std::string submission_date;     // YYYY-MM-DD, for ages
  std::filesystem::path work_dir;  // scratch space inside the output folder
  // The submission as received, kept in the case folder, and its SHA256SUMS file; relative to
  // the case folder ("11_原本/<name>"), empty until stages/case_folder filed it.
  std::string original_copy;
  std::string original_sums;
  std::string profile_id;
  std::string profile_sha256;

  // The envelopes of the case (at least the first, whose name, hash and time are also above).
  std::vector<Envelope> envelopes;
  std::vector<SourceFile> files;
  std::vector<Page> pages;
  std::vector<Document> documents;
  std::vector<DicomPatient> dicom_patients;
  std::vector<Fact> facts;
  std::vector<Finding> findings;
  std::vector<RequirementResult> requirements;
  Verdict verdict = Verdict::kNeedsReview;
  std::optional<PatientLetterRecord> letter;
  // Where the case stands in the office's work (casestate/: received, waiting_for_patient,
  // complete, forwarded, closed), since when it waits for the patient (YYYY-MM-DD, the first
  // letter's date; empty if it never did) and the days waited; set before the reports.
  std::string state;
  std::string waiting_since;
  int days_waited = 0;

  // Helpers used by several stages.
  std::string NextFileId() const;
  std::string NextPageId() const;
  const SourceFile* FindFile(std::string_view id) const;
  const Page* FindPage(std::string_view id) const;
  const Fact* FindFact(std::string_view name) const;
  // Adds a finding with the severity from the code table.
  void AddFinding(FindingCode code, std::string message, std::string file_id = {});
  // Sets (or replaces) a fact.
  void SetFact(Fact fact);
  int DicomSeriesCount() const;
};

}  // namespace intake
