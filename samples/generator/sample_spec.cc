#include "samples/generator/sample_spec.h"

#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <stdexcept>

namespace intake::samplegen {
namespace {

// Thrown inside this file only; LoadSampleSpec turns it into a Result.
struct SpecError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// YAML folds a long Japanese paragraph's lines with ASCII spaces; Japanese has no spaces
// between words, so a space next to a non-ASCII character is dropped (full-width spaces stay).
std::string JoinFoldedLines(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ' ') {
      const bool before = !out.empty() && static_cast<unsigned char>(out.back()) >= 0x80;
      const bool after = i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80;
      if (before || after) continue;
    }
    out += text[i];
  }
  return out;
}

std::string Required(const YAML::Node& node, const std::string& key, const std::string& where) {
  const YAML::Node value = node[key];
  if (!value || !value.IsScalar()) throw SpecError(where + "." + key + ": missing");
  return JoinFoldedLines(value.as<std::string>());
}

std::string Optional(const YAML::Node& node, const std::string& key, std::string fallback = {}) {
  const YAML::Node value = node[key];
  if (!value || !value.IsScalar()) return fallback;
  return JoinFoldedLines(value.as<std::string>());
}

std::vector<std::string> StringList(const YAML::Node& node, const std::string& key,
                                    const std::string& where) {
  const YAML::Node list = node[key];
  if (!list || !list.IsSequence() || list.size() == 0) {
    throw SpecError(where + "." + key + ": missing (a list)");
  }
  std::vector<std::string> items;
  for (const auto& item : list) items.push_back(JoinFoldedLines(item.as<std::string>()));
  return items;
}

Date ParseDate(const std::string& text, const std::string& where) {
  Date date;
  char dash1 = 0;
  char dash2 = 0;
  if (std::sscanf(text.c_str(), "%d%c%d%c%d", &date.year, &dash1, &date.month, &dash2, &date.day) !=
          5 ||
      dash1 != '-' || dash2 != '-' || date.month < 1 || date.month > 12 || date.day < 1 ||
      date.day > 31) {
    throw SpecError(where + ": expected YYYY-MM-DD, got '" + text + "'");
  }
  return date;
}

Date RequiredDate(const YAML::Node& node, const std::string& key, const std::string& where) {
  return ParseDate(Required(node, key, where), where + "." + key);
}

Person ParsePerson(const YAML::Node& node, const std::string& where) {
  if (!node || !node.IsMap()) throw SpecError(where + ": missing");
  Person person;
  person.name = Required(node, "name", where);
  person.kana = Required(node, "kana", where);
  person.birth_date = RequiredDate(node, "birth_date", where);
  person.sex = Required(node, "sex", where);
  person.address = Optional(node, "address");
  person.phone = Optional(node, "phone");
  if (person.sex != "男" && person.sex != "女") throw SpecError(where + ".sex: 男 or 女");
  return person;
}

FileFormat ParseFormat(const std::string& text, const std::string& where) {
  for (FileFormat format : {FileFormat::kPdfText, FileFormat::kPdfScan, FileFormat::kTiffScan,
                            FileFormat::kDicomDisc, FileFormat::kZip}) {
    if (text == FileFormatName(format)) return format;
  }
  throw SpecError(where + ".format: unknown format '" + text + "'");
}

std::vector<FileSpec> ParseFiles(const YAML::Node& node, const std::string& where) {
  if (!node || !node.IsSequence() || node.size() == 0) throw SpecError(where + ": missing");
  std::vector<FileSpec> files;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const std::string item = where + "[" + std::to_string(i) + "]";
    const YAML::Node entry = node[i];
    FileSpec file;
    file.path = Required(entry, "path", item);
    if (file.path.empty() || file.path.front() == '/' ||
        file.path.find("..") != std::string::npos) {
      throw SpecError(item + ".path: must be relative, without '..'");
    }
    file.format = ParseFormat(Required(entry, "format", item), item);
    if (const YAML::Node docs = entry["documents"]; docs) {
      for (const auto& doc : docs) file.documents.push_back(doc.as<std::string>());
    }
    file.dpi =
        entry["dpi"] ? entry["dpi"].as<int>() : (file.format == FileFormat::kTiffScan ? 300 : 200);
    if (file.dpi < 100 || file.dpi > 600) throw SpecError(item + ".dpi: 100 to 600");
    if (file.format == FileFormat::kZip) {
      file.contents = ParseFiles(entry["contents"], item + ".contents");
    } else if (file.format != FileFormat::kDicomDisc && file.documents.empty()) {
      throw SpecError(item + ".documents: missing");
    }
    files.push_back(std::move(file));
  }
  return files;
}

SampleSpec ParseSample(const YAML::Node& root, const std::string& name) {
  SampleSpec spec;
  spec.name = name;
  spec.description = Optional(root, "description");
  spec.submission = Optional(root, "submission", ".");
  spec.seed = root["seed"] ? root["seed"].as<std::uint32_t>() : 1;
  spec.patient = ParsePerson(root["patient"], "patient");
  spec.patient_id = Optional(root, "patient_id", "000001");

  const YAML::Node app = root["application"];
  if (!app) throw SpecError("application: missing");
  spec.application.date = RequiredDate(app, "date", "application");
  spec.application.department = Required(app, "department", "application");
  spec.application.attendee = Required(app, "attendee", "application");
  const std::string& attendee = spec.application.attendee;
  if (attendee != "患者本人" && attendee != "家族のみ" && attendee != "患者本人と家族") {
    throw SpecError("application.attendee: 患者本人, 家族のみ or 患者本人と家族");
  }

  const YAML::Node ref = root["referral"];
  if (!ref) throw SpecError("referral: missing");
  spec.referral.date = RequiredDate(ref, "date", "referral");
  spec.referral.clinic = Required(ref, "clinic", "referral");
  spec.referral.clinic_address = Required(ref, "clinic_address", "referral");
  spec.referral.clinic_phone = Required(ref, "clinic_phone", "referral");
  spec.referral.physician = Required(ref, "physician", "referral");
  spec.referral.diagnosis = Required(ref, "diagnosis", "referral");
  spec.referral.purpose = Optional(ref, "purpose", "セカンドオピニオン");
  spec.referral.history = Required(ref, "history", "referral");
  spec.referral.course = Required(ref, "course", "referral");
  spec.referral.treatment = Required(ref, "treatment", "referral");
  spec.referral.prescriptions = StringList(ref, "prescriptions", "referral");
  spec.referral.remarks = Optional(ref, "remarks", "特記事項なし");
  spec.referral.test_date =
      ref["test_date"] ? RequiredDate(ref, "test_date", "referral") : spec.referral.date;

  const YAML::Node consultation = root["consultation"];
  if (!consultation) throw SpecError("consultation: missing");
  spec.consultation.summary = Required(consultation, "summary", "consultation");
  spec.consultation.questions = StringList(consultation, "questions", "consultation");

  if (const YAML::Node family = root["family"]; family) {
    FamilyMember member;
    member.person = ParsePerson(family, "family");
    member.relation = Required(family, "relation", "family");
    const std::string living = Required(family, "living", "family");
    if (living != "同居" && living != "別居") throw SpecError("family.living: 同居 or 別居");
    member.living_together = living == "同居";
    spec.family = member;
  } else if (attendee != "患者本人") {
    throw SpecError("family: missing (needed when a family member attends)");
  }

  if (const YAML::Node dicom = root["dicom"]; dicom) {
    spec.dicom.modality = Optional(dicom, "modality", "CT");
    spec.dicom.body_part = Optional(dicom, "body_part", "ABDOMEN");
    spec.dicom.study_description = Required(dicom, "study_description", "dicom");
    spec.dicom.series_description = Required(dicom, "series_description", "dicom");
    spec.dicom.study_date = RequiredDate(dicom, "study_date", "dicom");
    spec.dicom.slices = dicom["slices"] ? dicom["slices"].as<int>() : 8;
  }

  spec.files = ParseFiles(root["files"], "files");
  return spec;
}

}  // namespace

std::string_view FileFormatName(FileFormat format) {
  switch (format) {
    case FileFormat::kPdfText:
      return "pdf_text";
    case FileFormat::kPdfScan:
      return "pdf_scan";
    case FileFormat::kTiffScan:
      return "tiff_scan";
    case FileFormat::kDicomDisc:
      return "dicom_disc";
    case FileFormat::kZip:
      return "zip";
  }
  return "unknown";
}

Result<SampleSpec> LoadSampleSpec(const std::filesystem::path& yaml_path) {
  const std::string name = yaml_path.parent_path().filename().string();
  try {
    return ParseSample(YAML::LoadFile(yaml_path.string()), name);
  } catch (const YAML::Exception& e) {
    return Result<SampleSpec>::Fail(yaml_path.string() + ": " + e.what());
  } catch (const SpecError& e) {
    return Result<SampleSpec>::Fail(yaml_path.string() + ": " + e.what());
  }
}

}  // namespace intake::samplegen
