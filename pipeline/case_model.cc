#include "pipeline/case_model.h"

#include <algorithm>
#include <cstdio>

namespace intake {
namespace {

std::string NumberedId(char prefix, std::size_t n, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%c%0*zu", prefix, width, n);
  return buf;
}

}  // namespace

std::string_view FileKindWord(FileKind kind) {
  switch (kind) {
    case FileKind::kPdf:
      return "PDF";
    case FileKind::kTiff:
      return "TIFF画像";
    case FileKind::kJpeg:
      return "JPEG画像";
    case FileKind::kPng:
      return "PNG画像";
    case FileKind::kBmp:
      return "BMP画像";
    case FileKind::kGif:
      return "GIF画像";
    case FileKind::kHeif:
      return "HEIC/AVIF画像";
    case FileKind::kWebp:
      return "WebP画像";
    case FileKind::kJpeg2000:
      return "JPEG 2000画像";
    case FileKind::kPnm:
      return "PNM画像";
    case FileKind::kDicom:
      return "DICOM";
    case FileKind::kDicomdir:
      return "DICOMDIR";
    case FileKind::kArchive:
      return "圧縮ファイル・ディスクイメージ";
    case FileKind::kManifest:
      return "マニフェスト";
    case FileKind::kText:
      return "テキスト";
    case FileKind::kExecutable:
      return "実行ファイル（実行していません）";
    case FileKind::kEmpty:
      return "空のファイル";
    case FileKind::kUnknown:
      return "不明";
  }
  return "不明";
}

std::string_view FileKindName(FileKind kind) {
  switch (kind) {
    case FileKind::kUnknown:
      return "unknown";
    case FileKind::kPdf:
      return "pdf";
    case FileKind::kTiff:
      return "tiff";
    case FileKind::kJpeg:
      return "jpeg";
    case FileKind::kPng:
      return "png";
    case FileKind::kBmp:
      return "bmp";
    case FileKind::kGif:
      return "gif";
    case FileKind::kHeif:
      return "heif";
    case FileKind::kWebp:
      return "webp";
    case FileKind::kJpeg2000:
      return "jpeg2000";
    case FileKind::kPnm:
      return "pnm";
    case FileKind::kDicom:
      return "dicom";
    case FileKind::kDicomdir:
      return "dicomdir";
    case FileKind::kArchive:
      return "archive";
    case FileKind::kManifest:
      return "manifest";
    case FileKind::kText:
      return "text";
    case FileKind::kExecutable:
      return "executable";
    case FileKind::kEmpty:
      return "empty";
  }
  return "unknown";
}

std::string_view PatientMatchName(PatientMatch match) {
  switch (match) {
    case PatientMatch::kNotChecked:
      return "not_checked";
    case PatientMatch::kMatch:
      return "match";
    case PatientMatch::kMismatch:
      return "mismatch";
    case PatientMatch::kNotComparable:
      return "not_comparable";
  }
  return "not_checked";
}

std::string_view TextSourceName(TextSource source) {
  switch (source) {
    case TextSource::kNone:
      return "none";
    case TextSource::kPdfTextLayer:
      return "pdf_text";
    case TextSource::kOcr:
      return "ocr";
  }
  return "none";
}

std::string_view RequirementStatusName(RequirementStatus status) {
  switch (status) {
    case RequirementStatus::kPresent:
      return "present";
    case RequirementStatus::kMissing:
      return "missing";
    case RequirementStatus::kNeedsReview:
      return "needs_review";
    case RequirementStatus::kNotRequired:
      return "not_required";
  }
  return "needs_review";
}

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kComplete:
      return "complete";
    case Verdict::kIncomplete:
      return "incomplete";
    case Verdict::kNeedsReview:
      return "needs_review";
    case Verdict::kRejected:
      return "rejected";
  }
  return "needs_review";
}

std::optional<Verdict> ParseVerdict(std::string_view name) {
  for (Verdict v :
       {Verdict::kComplete, Verdict::kIncomplete, Verdict::kNeedsReview, Verdict::kRejected}) {
    if (VerdictName(v) == name) return v;
  }
  return std::nullopt;
}

std::string Case::NextFileId() const { return NumberedId('f', files.size() + 1, 4); }
std::string Case::NextPageId() const { return NumberedId('p', pages.size() + 1, 4); }

const SourceFile* Case::FindFile(std::string_view file_id) const {
  auto it =
      std::find_if(files.begin(), files.end(), [&](const auto& f) { return f.id == file_id; });
  return it == files.end() ? nullptr : &*it;
}

const Page* Case::FindPage(std::string_view page_id) const {
  auto it =
      std::find_if(pages.begin(), pages.end(), [&](const auto& p) { return p.id == page_id; });
  return it == pages.end() ? nullptr : &*it;
}

const Fact* Case::FindFact(std::string_view name) const {
  auto it = std::find_if(facts.begin(), facts.end(), [&](const auto& f) { return f.name == name; });
  return it == facts.end() ? nullptr : &*it;
}

void Case::AddFinding(FindingCode code, std::string message, std::string file_id) {
  Finding finding;
  finding.code = code;
  finding.severity = FindingInfo(code).severity;
  finding.message = std::move(message);
  finding.file_id = std::move(file_id);
  findings.push_back(std::move(finding));
}

void Case::SetFact(Fact fact) {
  auto it =
      std::find_if(facts.begin(), facts.end(), [&](const auto& f) { return f.name == fact.name; });
  if (it == facts.end()) {
    facts.push_back(std::move(fact));
  } else {
    *it = std::move(fact);
  }
}

int Case::DicomSeriesCount() const {
  int n = 0;
  for (const auto& p : dicom_patients)
    for (const auto& s : p.studies) n += static_cast<int>(s.series.size());
  return n;
}

}  // namespace intake
