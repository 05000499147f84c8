#include "stages/dicom.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <tuple>
#include <utility>
#include <vector>

#include "dicom/dicom_reader.h"
#include "dicom/dicomdir.h"
#include "dicom/key_image.h"
#include "dicom/person_name.h"
#include "dicom/transfer_syntax.h"
#include "pipeline/log.h"
#include "pipeline/parallel_for.h"
#include "pipeline/progress.h"
#include "stages/disc_layout.h"

namespace intake::stages {
namespace {

namespace fs = std::filesystem;

// At most this many paths of the submission are named in one finding.
constexpr std::size_t kExamplesInMessage = 3;

// What the series summary needs of each instance.
struct Instance {
  std::string file_id;
  fs::path path;
  std::string sop_uid;
  std::optional<int> instance_number;
  int frames = 1;
  bool has_pixels = false;
  bool truncated = false;
  std::string transfer_syntax;
  std::string lossy_flag;
};

struct SeriesAcc {
  DicomSeries series;
  std::set<std::string> sop_uids;  // an instance copied twice on a disc counts once
  int instances_without_uid = 0;
  std::vector<Instance> instances;   // in file order
  std::optional<int> series_number;  // the lowest one seen
};

struct StudyAcc {
  DicomStudy study;
  std::set<std::string> modalities;
  std::map<std::string, SeriesAcc> series;  // by SeriesInstanceUID
};

struct PatientAcc {
  DicomPatient patient;
  std::map<std::string, StudyAcc> studies;  // by StudyInstanceUID
};

void FillIfEmpty(std::string& target, const std::string& value) {
  if (target.empty()) target = value;
}

// Patients are told apart by PatientID; by name only when a file has no PatientID.
std::string PatientKey(const dicom::DicomHeader& h) {
  return h.patient_id.empty() ? "name:" + h.patient_name : "id:" + h.patient_id;
}

void AddInstance(std::map<std::string, PatientAcc>& patients, const SourceFile& file,
                 const dicom::DicomHeader& h) {
  PatientAcc& p = patients[PatientKey(h)];
  FillIfEmpty(p.patient.patient_id, h.patient_id);
  FillIfEmpty(p.patient.name, h.patient_name);
  FillIfEmpty(p.patient.birth_date, h.patient_birth_date);
  FillIfEmpty(p.patient.sex, h.patient_sex);

  StudyAcc& st = p.studies[h.study_uid];
  st.study.study_uid = h.study_uid;
  FillIfEmpty(st.study.date, h.study_date);
  FillIfEmpty(st.study.description, h.study_description);
  if (!h.modality.empty()) st.modalities.insert(h.modality);

  SeriesAcc& se = st.series[h.series_uid];
  se.series.series_uid = h.series_uid;
  FillIfEmpty(se.series.modality, h.modality);
  FillIfEmpty(se.series.description, h.series_description);
  FillIfEmpty(se.series.body_part, h.body_part);
  // A series without its own date is taken to be from the day of its study.
  FillIfEmpty(se.series.date, h.series_date.empty() ? h.study_date : h.series_date);
  FillIfEmpty(se.series.transfer_syntax, h.transfer_syntax_uid);
  if (h.series_number && (!se.series_number || *h.series_number < *se.series_number)) {
    se.series_number = h.series_number;
  }
  se.series.file_ids.push_back(file.id);
  if (h.sop_instance_uid.empty()) {
    ++se.instances_without_uid;
  } else {
    se.sop_uids.insert(h.sop_instance_uid);
  }
  se.instances.push_back(Instance{file.id, file.path, h.sop_instance_uid, h.instance_number,
                                  h.number_of_frames, h.has_pixel_data, h.truncated,
                                  h.transfer_syntax_uid, h.lossy_image_compression});
}

void FillNameGroups(DicomPatient& p) {
  const dicom::PersonName name = dicom::ParsePersonName(p.name);
  p.name_alphabetic = name.alphabetic.Joined();
  p.name_ideographic = name.ideographic.Joined();
  p.name_phonetic = name.phonetic.Joined();
}

// The instance a key image is made of: the middle one by Instance Number (file order where the
// numbers are missing or equal), among those with whole pixel data, each SOP instance once.
const Instance* KeyInstance(const std::vector<Instance>& instances) {
  std::vector<const Instance*> candidates;
  std::set<std::string> seen;
  for (const Instance& i : instances) {
    if (!i.has_pixels || i.truncated) continue;
    if (!i.sop_uid.empty() && !seen.insert(i.sop_uid).second) continue;
    candidates.push_back(&i);
  }
  if (candidates.empty()) return nullptr;
  std::stable_sort(candidates.begin(), candidates.end(), [](const Instance* a, const Instance* b) {
    return std::make_tuple(!a->instance_number.has_value(), a->instance_number.value_or(0)) <
           std::make_tuple(!b->instance_number.has_value(), b->instance_number.value_or(0));
  });
  return candidates[(candidates.size() - 1) / 2];
}

// Lossy flag, decodability and the key image of one series. `index` numbers the key image file.
void DescribePixels(SeriesAcc& se, int index, const DicomStageOptions& options, const Case& c) {
  DicomSeries& s = se.series;
  s.transfer_syntax_name = dicom::TransferSyntaxName(s.transfer_syntax);
  bool any_pixels = false;
  std::string undecodable;
  for (const Instance& i : se.instances) {
    if (dicom::IsLossy(i.transfer_syntax, i.lossy_flag)) s.lossy = true;
    if (!i.has_pixels && !i.truncated) continue;
    any_pixels = true;
    if (undecodable.empty()) undecodable = dicom::UndecodableReason(i.transfer_syntax);
  }
  if (!any_pixels) {
    s.pixels_note = "画素データのないシリーズです（構造化レポート・文書など）";
    return;
  }
  if (!undecodable.empty()) {
    s.pixels_note = undecodable;
    return;
  }
  const Instance* key = KeyInstance(se.instances);
  if (key == nullptr) {
    s.pixels_note = "画像データが途中で切れているため展開できません";
    return;
  }
  s.pixels_decodable = true;
  if (options.case_dir.empty()) return;

  const fs::path dir = options.case_dir / "key_images";
  std::error_code ec;
  fs::create_directories(dir, ec);
  const std::string name = std::to_string(index) + ".png";
  auto written =
      dicom::WriteKeyImage(key->path, key->frames / 2, dir / name, options.key_image_max_side);
  if (!written.ok()) {
    Log()->debug("case {} dicom: no key image from file {}: {}", c.id, key->file_id,
                 written.message());
    s.pixels_decodable = false;
    s.pixels_note =
        "代表画像を展開できませんでした（画素データが壊れているか、この環境では扱えない形式です）";
    return;
  }
  s.key_image = "key_images/" + name;
}

std::vector<DicomPatient> BuildPatients(std::map<std::string, PatientAcc>& accs,
                                        const DicomStageOptions& options, const Case& c) {
  std::vector<PatientAcc*> ordered;
  for (auto& [key, p] : accs) ordered.push_back(&p);
  std::stable_sort(ordered.begin(), ordered.end(), [](const PatientAcc* a, const PatientAcc* b) {
    return std::tie(a->patient.patient_id, a->patient.name) <
           std::tie(b->patient.patient_id, b->patient.name);
  });
  std::vector<DicomPatient> patients;
  int series_index = 0;
  for (PatientAcc* p : ordered) {
    std::vector<StudyAcc*> studies;
    for (auto& [study_uid, st] : p->studies) studies.push_back(&st);
    std::stable_sort(studies.begin(), studies.end(), [](const StudyAcc* a, const StudyAcc* b) {
      return std::tie(a->study.date, a->study.study_uid) <
             std::tie(b->study.date, b->study.study_uid);
    });
    for (StudyAcc* st : studies) {
      std::string modalities;
      for (const auto& m : st->modalities) {
        if (!modalities.empty()) modalities += '\\';
        modalities += m;
      }
      st->study.modalities = modalities;
      // By Series Number as the modality numbered them; by UID where numbers are missing.
      std::vector<SeriesAcc*> series;
      for (auto& [series_uid, se] : st->series) series.push_back(&se);
      std::stable_sort(series.begin(), series.end(), [](const SeriesAcc* a, const SeriesAcc* b) {
        return std::make_tuple(!a->series_number.has_value(), a->series_number.value_or(0)) <
               std::make_tuple(!b->series_number.has_value(), b->series_number.value_or(0));
      });
      for (SeriesAcc* se : series) {
        se->series.instance_count =
            static_cast<int>(se->sop_uids.size()) + se->instances_without_uid;
        DescribePixels(*se, ++series_index, options, c);
        st->study.series.push_back(std::move(se->series));
      }
      p->patient.studies.push_back(std::move(st->study));
    }
    FillNameGroups(p->patient);
    patients.push_back(std::move(p->patient));
  }
  return patients;
}

std::string PatientListForStaff(const std::vector<DicomPatient>& patients) {
  std::string list;
  for (const auto& p : patients) {
    if (!list.empty()) list += "、";
    list += p.patient_id.empty() ? "IDなし（" + p.name + "）" : p.patient_id;
  }
  return list;
}

std::string Examples(const std::vector<std::string>& paths) {
  std::string out;
  for (std::size_t i = 0; i < paths.size() && i < kExamplesInMessage; ++i) {
    if (i > 0) out += "、";
    out += paths[i];
  }
  if (paths.size() > kExamplesInMessage) out += " ほか";
  return out;
}

// What a file named .dcm holds instead, in words staff read.
std::string KindWord(FileKind kind) {
  switch (kind) {
    case FileKind::kArchive:
      return "圧縮ファイル";
    case FileKind::kDicom:
    case FileKind::kDicomdir:
    case FileKind::kManifest:
    case FileKind::kExecutable:
    case FileKind::kUnknown:
      return "DICOMではないデータ";
    default:
      return std::string(FileKindWord(kind));
  }
}

bool NamedAsDicom(const SourceFile& file) {
  const std::string name = DiscComponent(FileName(file.relative_path));
  return name.ends_with(".DCM") || name.ends_with(".DICOM");
}

// The DICOMDIR cross-check: each DICOMDIR against the DICOM files of its own folder tree on the
// same medium (a nested tree with its own DICOMDIR belongs to that one). Names are matched as a
// disc shows them (case-insensitive, ISO 9660 ";1" suffixes ignored).
class DicomdirCheck {
 public:
  explicit DicomdirCheck(const Case& c) : c_(c) {}

  void AddDirectory(const SourceFile& file) { directories_.push_back(&file); }
  void AddDicomFile(const SourceFile& file) { dicom_files_.push_back(&file); }
  std::size_t directories() const { return directories_.size(); }

  void Run(Case& c) {
    for (const SourceFile* dir : directories_) Check(c, *dir);
  }

 private:
  static FileTree TreeOf(const SourceFile& dicomdir) {
    return FileTree{dicomdir.container_id, std::string(FolderOf(dicomdir.relative_path))};
  }

  // The path of `file` below `tree`'s folder, as a disc names it: "IMAGES/IM000001".
  static std::string KeyBelow(const FileTree& tree, const SourceFile& file) {
    std::string_view rest = file.relative_path;
    if (!tree.folder.empty()) rest.remove_prefix(tree.folder.size() + 1);
    std::string key;
    while (true) {
      const std::size_t slash = rest.find('/');
      if (!key.empty()) key += '/';
      key += DiscComponent(rest.substr(0, slash));
      if (slash == std::string_view::npos) break;
      rest.remove_prefix(slash + 1);
    }
    return key;
  }

  // The DICOMDIR whose tree holds `file` most closely (the deepest folder).
  const SourceFile* OwnerOf(const SourceFile& file) const {
    const SourceFile* owner = nullptr;
    std::size_t depth = 0;
    for (const SourceFile* dir : directories_) {
      const FileTree tree = TreeOf(*dir);
      if (!tree.Contains(file)) continue;
      if (owner == nullptr || tree.folder.size() + 1 > depth) {
        owner = dir;
        depth = tree.folder.size() + 1;
      }
    }
    return owner;
  }

  void Check(Case& c, const SourceFile& dicomdir) {
    auto ids = dicom::ReadDicomdirFileIds(dicomdir.path);
    if (!ids.ok()) {
      Log()->debug("case {} dicom: DICOMDIR {} unreadable: {}", c.id, dicomdir.id, ids.message());
      c.AddFinding(FindingCode::kDicomUnreadable,
                   "DICOMDIRを読み取れないため、ディスクの内容と照合できませんでした: " +
                       dicomdir.relative_path,
                   dicomdir.id);
      return;
    }
    const FileTree tree = TreeOf(dicomdir);
    std::set<std::string> on_disc;  // every file of the tree, DICOM or not
    for (const SourceFile& f : c_.files) {
      if (tree.Contains(f)) on_disc.insert(KeyBelow(tree, f));
    }
    std::set<std::string> listed;
    std::vector<std::string> missing;
    for (const auto& components : *ids) {
      std::string key;
      for (const auto& part : components) {
        if (!key.empty()) key += '/';
        key += DiscComponent(part);
      }
      if (!listed.insert(key).second) continue;
      if (on_disc.count(key) == 0) {
        std::string shown;
        for (const auto& part : components) shown += (shown.empty() ? "" : "/") + part;
        missing.push_back(tree.folder.empty() ? shown : tree.folder + "/" + shown);
      }
    }
    std::vector<std::string> unlisted;
    for (const SourceFile* f : dicom_files_) {
      if (OwnerOf(*f) != &dicomdir) continue;
      if (listed.count(KeyBelow(tree, *f)) == 0) unlisted.push_back(f->relative_path);
    }
    Log()->info("case {} dicom: DICOMDIR {}: {} records, {} missing files, {} files not listed",
                c.id, dicomdir.id, ids->size(), missing.size(), unlisted.size());
    if (missing.empty() && unlisted.empty()) return;
    std::string message =
        "DICOMDIR（" + dicomdir.relative_path + "）とディスク上のファイルが一致しません。";
    if (!missing.empty()) {
      message += "DICOMDIRに記載があるのに見つからないファイル " + std::to_string(missing.size()) +
                 " 件（" + Examples(missing) + "）。";
    }
    if (!unlisted.empty()) {
      message += "DICOMDIRに記載のないDICOMファイル " + std::to_string(unlisted.size()) + " 件（" +
                 Examples(unlisted) + "）。";
    }
    message += "画像データはDICOMDIRによらず、すべてのファイルから読み取っています。";
    c.AddFinding(FindingCode::kDicomdirMismatch, std::move(message), dicomdir.id);
  }

  const Case& c_;
  std::vector<const SourceFile*> directories_;
  std::vector<const SourceFile*> dicom_files_;
};

class DicomStage final : public Stage {
 public:
  explicit DicomStage(DicomStageOptions options) : options_(std::move(options)) {}

  std::string_view name() const override { return "dicom"; }

  Status Run(Case& c) override {
    const auto start = std::chrono::steady_clock::now();
    if (!options_.case_dir.empty()) {
      std::error_code ec;
      fs::remove_all(options_.case_dir / "key_images", ec);  // from an earlier run of the case
    }
    Scan scan;
    DicomdirCheck dicomdirs(c);
    // c.files grows at the end of this stage (extracted PDFs): iterate over what is there now.
    const std::size_t file_count = c.files.size();
    // The headers first, on every core (DCMTK parses separate files independently: a disc of
    // 2,000 images in ~190 ms instead of ~250), then the case takes them in the files' order.
    std::vector<std::optional<Result<dicom::DicomHeader>>> headers(file_count);
    ParallelFor(file_count, [&](std::size_t index) {
      const SourceFile& file = c.files[index];
      if (file.kind != FileKind::kDicom) return;
      ReportFile(file.id);
      headers[index] = dicom::ReadHeader(file.path);
    });
    for (std::size_t index = 0; index < file_count; ++index) {
      ScanFile(c, index, std::move(headers[index]), dicomdirs, scan);
    }

    c.dicom_patients = BuildPatients(scan.accs, options_, c);
    if (c.dicom_patients.size() > 1) {
      c.AddFinding(
          FindingCode::kMultiplePatients,
          "画像データに" + std::to_string(c.dicom_patients.size()) +
              "名の患者が含まれています（患者ID: " + PatientListForStaff(c.dicom_patients) + "）");
    }
    dicomdirs.Run(c);
    if (scan.viewers + scan.autoruns > 0) {
      c.AddFinding(FindingCode::kViewerSoftware,
                   "画像ビューア等のソフトウェア（実行ファイル " + std::to_string(scan.viewers) +
                       " 件、autorun.inf " + std::to_string(scan.autoruns) +
                       " 件）が含まれています。安全のため実行していません。",
                   scan.first_viewer->id);
    }
    const int extracted = ExtractEncapsulatedPdfs(c, scan.encapsulated_pdfs);

    std::size_t studies = 0;
    for (const auto& p : c.dicom_patients) studies += p.studies.size();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    Log()->info(
        "case {} dicom: {} headers read, {} unreadable, {} truncated, {} DICOMDIR, {} patients, "
        "{} studies, {} series, {} PDFs extracted, {} viewer files in {} ms",
        c.id, scan.read, scan.unreadable, scan.truncated, dicomdirs.directories(),
        c.dicom_patients.size(), studies, c.DicomSeriesCount(), extracted,
        scan.viewers + scan.autoruns, ms);
    return Status::Ok();
  }

 private:
  // What the walk over the files gathers: counts for the log, the first viewer file, the
  // instances by patient and the encapsulated PDFs (indexes into c.files).
  struct Scan {
    int read = 0;
    int unreadable = 0;
    int truncated = 0;
    int viewers = 0;
    int autoruns = 0;
    const SourceFile* first_viewer = nullptr;
    std::map<std::string, PatientAcc> accs;
    std::vector<std::size_t> encapsulated_pdfs;
  };

  // One file of the case: a viewer, a DICOMDIR, a file named as DICOM that is not, or a DICOM
  // file whose header (read, for a file of that kind) goes into the patients (with findings for
  // what cannot be read).
  void ScanFile(Case& c, std::size_t index, std::optional<Result<dicom::DicomHeader>> header,
                DicomdirCheck& dicomdirs, Scan& scan) const {
    const SourceFile& file = c.files[index];
    if (IsViewerFile(file)) {
      ++(IsAutorunFile(file) ? scan.autoruns : scan.viewers);
      if (scan.first_viewer == nullptr) scan.first_viewer = &file;
    }
    if (file.kind == FileKind::kDicomdir) {
      if (IsDicomdirFile(file)) dicomdirs.AddDirectory(file);
      return;
    }
    if (file.kind != FileKind::kDicom) {
      if (NamedAsDicom(file) && file.kind != FileKind::kArchive) {
        ++scan.unreadable;
        c.AddFinding(FindingCode::kDicomUnreadable,
                     "拡張子はDICOMですが、中身は" + KindWord(file.kind) +
                         "です（DICOMとして読み取れません）: " + file.relative_path,
                     file.id);
      }
      return;
    }
    if (!header) return;
    const Result<dicom::DicomHeader>& read = *header;
    if (!read.ok()) {
      ++scan.unreadable;
      dicomdirs.AddDicomFile(file);
      Log()->debug("case {} dicom: file {} unreadable: {}", c.id, file.id, read.message());
      c.AddFinding(FindingCode::kDicomUnreadable,
                   "DICOMファイルを読み取れません: " + file.relative_path, file.id);
      return;
    }
    if (read->is_dicomdir) {
      if (DiscComponent(FileName(file.relative_path)) == "DICOMDIR") dicomdirs.AddDirectory(file);
      return;
    }
    dicomdirs.AddDicomFile(file);
    ++scan.read;
    if (read->truncated) {
      ++scan.truncated;
      c.AddFinding(
          FindingCode::kCorruptFile,
          "DICOMファイルが途中で切れています（画像データが欠けています）: " + file.relative_path,
          file.id);
    }
    if (read->sop_class_uid == dicom::kEncapsulatedPdfSopClass) {
      scan.encapsulated_pdfs.push_back(index);
    }
    AddInstance(scan.accs, file, *read);
  }

  // Encapsulated PDF reports become PDF files of the case, read by the pages stage like any
  // other PDF (so they become documents). Their container is the DICOM file.
  static int ExtractEncapsulatedPdfs(Case& c, const std::vector<std::size_t>& indexes) {
    if (indexes.empty()) return 0;
    if (c.work_dir.empty()) {
      Log()->warn("case {} dicom: no work area, {} encapsulated PDFs not extracted", c.id,
                  indexes.size());
      return 0;
    }
    const fs::path dir = c.work_dir / "encapsulated";
    std::error_code ec;
    fs::create_directories(dir, ec);
    int extracted = 0;
    for (std::size_t index : indexes) {
      const SourceFile dicom_file = c.files[index];  // copy: c.files grows below
      const bool done = std::any_of(c.files.begin(), c.files.end(), [&](const SourceFile& f) {
        return f.container_id == dicom_file.id && f.kind == FileKind::kPdf;
      });
      if (done) continue;  // the stage ran before on this case
      const fs::path out = dir / (dicom_file.id + ".pdf");
      const Status status = dicom::ExtractEncapsulatedPdf(dicom_file.path, out);
      if (!status.ok()) {
        Log()->debug("case {} dicom: file {}: {}", c.id, dicom_file.id, status.message());
        c.AddFinding(
            FindingCode::kCorruptFile,
            "DICOMファイルに埋め込まれたPDFを取り出せませんでした: " + dicom_file.relative_path,
            dicom_file.id);
        continue;
      }
      SourceFile pdf;
      pdf.id = c.NextFileId();
      pdf.path = out;
      pdf.relative_path = dicom_file.relative_path + "/encapsulated.pdf";
      pdf.container_id = dicom_file.id;
      pdf.kind = FileKind::kPdf;
      pdf.mime = "application/pdf";
      pdf.size = fs::file_size(out, ec);
      c.files.push_back(std::move(pdf));
      ++extracted;
    }
    return extracted;
  }

  DicomStageOptions options_;
};

}  // namespace

std::unique_ptr<Stage> MakeDicomStage(DicomStageOptions options) {
  return std::make_unique<DicomStage>(std::move(options));
}

}  // namespace intake::stages
