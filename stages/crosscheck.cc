#include "stages/crosscheck.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "ocr/page_image.h"
#include "pipeline/log.h"
#include "stages/disc_layout.h"
#include "stages/patient_match.h"

namespace intake::stages {
namespace {

// Icons and thumbnails (the previews viewer software and IHE PDI pages carry) are smaller than
// this on their longer side; a screenshot of a viewer is not.
constexpr int kMinScreenshotSide = 256;
constexpr double kMinScreenshotDarkShare = 0.5;
constexpr std::size_t kExamplesInMessage = 3;

std::string FactText(const Case& c, std::string_view name) {
  const Fact* fact = c.FindFact(name);
  if (fact == nullptr) return {};
  if (const auto* s = std::get_if<std::string>(&fact->value)) return *s;
  return {};
}

bool IsImage(FileKind kind) {
  return kind == FileKind::kJpeg || kind == FileKind::kPng || kind == FileKind::kBmp ||
         kind == FileKind::kGif || kind == FileKind::kHeif || kind == FileKind::kWebp ||
         kind == FileKind::kJpeg2000 || kind == FileKind::kPnm;
}

bool UnderIhePdi(const SourceFile& file) {
  std::string_view rest = FolderOf(file.relative_path);
  while (!rest.empty()) {
    const std::size_t slash = rest.find('/');
    if (DiscComponent(rest.substr(0, slash)) == "IHE_PDI") return true;
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return false;
}

// Folders of viewer software that are not also a disc's root: their images are the viewer's own
// (splash screens, buttons).
std::vector<FileTree> ViewerFolders(const Case& c) {
  std::set<std::pair<std::string, std::string>> roots;
  for (const SourceFile& f : c.files) {
    if (IsDicomdirFile(f) || IsAutorunFile(f)) {
      roots.emplace(f.container_id, std::string(FolderOf(f.relative_path)));
    }
  }
  std::vector<FileTree> folders;
  for (const SourceFile& f : c.files) {
    if (!IsViewerFile(f) || IsAutorunFile(f)) continue;
    FileTree tree{f.container_id, std::string(FolderOf(f.relative_path))};
    if (roots.count({tree.container_id, tree.folder}) == 0) folders.push_back(std::move(tree));
  }
  return folders;
}

// The rule for NON_DICOM_IMAGES. An image file counts when
//  1. it lies on a disc (in the folder tree of a DICOMDIR, an autorun.inf or viewer software, or
//     anywhere in an ISO image) and is not the disc's own furniture: not under IHE_PDI/ (the IHE
//     PDI web pages and their thumbnails), not in a viewer's own folder; or, off a disc, it looks
//     like a viewer's screenshot: mostly black (kMinScreenshotDarkShare), as CT and MR slices on a
//     viewer's screen are and photos and scans of paper are not;
//  2. it is not an icon or thumbnail (longer side under kMinScreenshotSide);
//  3. it did not become a page classified as a document: a scan or photo of a paper document is a
//     document, not a screenshot of images.
void CheckNonDicomImages(Case& c) {
  const std::vector<FileTree> discs = FindDiscTrees(c);
  const std::vector<FileTree> viewer_folders = ViewerFolders(c);
  std::set<std::string> document_files;
  for (const Page& p : c.pages) {
    if (p.doc_type != "other") document_files.insert(p.file_id);
  }
  std::vector<std::string> paths;
  int on_disc = 0;
  for (const SourceFile& f : c.files) {
    if (!IsImage(f.kind) || UnderIhePdi(f) || document_files.count(f.id) > 0) continue;
    if (std::any_of(viewer_folders.begin(), viewer_folders.end(),
                    [&](const FileTree& t) { return t.Contains(f); })) {
      continue;
    }
    auto header = ocr::ReadImageHeader(f.path);
    if (header.ok() && std::max(header->width, header->height) < kMinScreenshotSide) continue;
    const bool disc = !discs.empty() && IsOnDisc(c, f, discs);
    if (!disc) {
      const auto dark = ocr::DarkShare(f.path);
      if (!dark.ok() || *dark < kMinScreenshotDarkShare) continue;
    }
    on_disc += disc ? 1 : 0;
    paths.push_back(f.relative_path);
  }
  Log()->info("case {} crosscheck: {} media trees, {} non-DICOM images ({} on them)", c.id,
              discs.size(), paths.size(), on_disc);
  if (paths.empty()) return;
  std::string examples;
  for (std::size_t i = 0; i < paths.size() && i < kExamplesInMessage; ++i) {
    examples += (i == 0 ? "" : "、") + paths[i];
  }
  if (paths.size() > kExamplesInMessage) examples += " ほか";
  const std::string where = on_disc > 0 ? "ディスクに" : "提出物に";
  std::string message = c.DicomSeriesCount() == 0
                            ? where + "DICOM画像がなく、JPEG等の画像 " +
                                  std::to_string(paths.size()) + " 件だけが入っています（" +
                                  examples +
                                  "）。スクリーンショット等は診断に使えないため、DICOM形式の画像デ"
                                  "ータを依頼してください。"
                            : where + "DICOM画像のほか、JPEG等の画像 " +
                                  std::to_string(paths.size()) + " 件が入っています（" + examples +
                                  "）。スクリーンショット等の可能性があります。必要な画像がDICOMで"
                                  "揃っているか確認してください。";
  c.AddFinding(FindingCode::kNonDicomImages, std::move(message));
}

void CheckPatients(Case& c) {
  if (c.dicom_patients.empty()) return;
  DocumentPatient documents;
  documents.name = FactText(c, "patient_name");
  documents.kana = FactText(c, "patient_name_kana");
  documents.birth_date = FactText(c, "patient_birth_date");
  documents.sex = FactText(c, "patient_sex");
  int mismatches = 0;
  int not_comparable = 0;
  for (DicomPatient& p : c.dicom_patients) {
    const PatientComparison comparison = ComparePatient(p, documents);
    p.document_match = comparison.match;
    p.document_match_note = comparison.note;
    if (comparison.match == PatientMatch::kNotComparable) ++not_comparable;
    if (comparison.match != PatientMatch::kMismatch) continue;
    ++mismatches;
    const std::string who =
        p.patient_id.empty() ? std::string("患者IDなし") : "患者ID: " + p.patient_id;
    c.AddFinding(FindingCode::kPatientMismatch,
                 "画像データの患者（" + who + "）と書類の患者が一致しません。" + comparison.note);
  }
  Log()->info("case {} crosscheck: {} DICOM patients, {} mismatch the documents, {} not comparable",
              c.id, c.dicom_patients.size(), mismatches, not_comparable);
}

class CrossCheckStage final : public Stage {
 public:
  std::string_view name() const override { return "crosscheck"; }

  Status Run(Case& c) override {
    CheckPatients(c);
    CheckNonDicomImages(c);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Stage> MakeCrossCheckStage() { return std::make_unique<CrossCheckStage>(); }

}  // namespace intake::stages
