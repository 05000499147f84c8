#include "stages/dicom_scan.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "dicom/dicom_reader.h"
#include "pipeline/log.h"

namespace intake::stages {
namespace {

struct SeriesAcc {
  DicomSeries series;
  std::set<std::string> sop_uids;  // an instance copied twice on a disc counts once
  int instances_without_uid = 0;
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

void AddInstance(std::map<std::string, PatientAcc>& patients, const std::string& file_id,
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
  se.series.file_ids.push_back(file_id);
  if (h.sop_instance_uid.empty()) {
    ++se.instances_without_uid;
  } else {
    se.sop_uids.insert(h.sop_instance_uid);
  }
}

std::vector<DicomPatient> BuildPatients(std::map<std::string, PatientAcc>& accs) {
  std::vector<DicomPatient> patients;
  for (auto& [key, p] : accs) {
    for (auto& [study_uid, st] : p.studies) {
      std::string modalities;
      for (const auto& m : st.modalities) {
        if (!modalities.empty()) modalities += '\\';
        modalities += m;
      }
      st.study.modalities = modalities;
      for (auto& [series_uid, se] : st.series) {
        se.series.instance_count = static_cast<int>(se.sop_uids.size()) + se.instances_without_uid;
        st.study.series.push_back(std::move(se.series));  // std::map: ordered by UID
      }
      p.patient.studies.push_back(std::move(st.study));
    }
    std::stable_sort(p.patient.studies.begin(), p.patient.studies.end(),
                     [](const DicomStudy& a, const DicomStudy& b) {
                       return std::tie(a.date, a.study_uid) < std::tie(b.date, b.study_uid);
                     });
    patients.push_back(std::move(p.patient));
  }
  std::stable_sort(patients.begin(), patients.end(),
                   [](const DicomPatient& a, const DicomPatient& b) {
                     return std::tie(a.patient_id, a.name) < std::tie(b.patient_id, b.name);
                   });
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

class DicomStage final : public Stage {
 public:
  std::string_view name() const override { return "dicom"; }

  Status Run(Case& c) override {
    const auto start = std::chrono::steady_clock::now();
    int read = 0;
    int unreadable = 0;
    int dicomdirs = 0;
    std::map<std::string, PatientAcc> accs;
    for (const SourceFile& file : c.files) {
      if (file.kind == FileKind::kDicomdir) {
        ++dicomdirs;
        continue;
      }
      if (file.kind != FileKind::kDicom) continue;
      auto header = dicom::ReadHeader(file.path);
      if (!header.ok()) {
        ++unreadable;
        Log()->debug("case {} dicom: file {} unreadable: {}", c.id, file.id, header.message());
        c.AddFinding("DICOM_UNREADABLE", "DICOMファイルを読み取れません: " + file.relative_path,
                     file.id);
        continue;
      }
      if (header->is_dicomdir) {
        ++dicomdirs;
        continue;
      }
      ++read;
      AddInstance(accs, file.id, *header);
    }

    c.dicom_patients = BuildPatients(accs);
    if (c.dicom_patients.size() > 1) {
      c.AddFinding("MULTIPLE_PATIENTS", "画像データに" + std::to_string(c.dicom_patients.size()) +
                                            "名の患者が含まれています（患者ID: " +
                                            PatientListForStaff(c.dicom_patients) + "）");
    }

    std::size_t studies = 0;
    for (const auto& p : c.dicom_patients) studies += p.studies.size();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    Log()->info(
        "case {} dicom: {} headers read, {} unreadable, {} DICOMDIR, {} patients, {} studies, "
        "{} series in {} ms",
        c.id, read, unreadable, dicomdirs, c.dicom_patients.size(), studies, c.DicomSeriesCount(),
        ms);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Stage> MakeDicomStage() { return std::make_unique<DicomStage>(); }

}  // namespace intake::stages
