// Sample descriptions: samples/<sample>/sample.yaml, read with yaml-cpp.
//
// A sample is data: the fictional patient's facts, the application's answers, the referral's
// details, and the files of the submission with the documents each one holds. The generator
// (samples/generator/main.cc) turns one SampleSpec into files; adding a sample is adding a
// sample.yaml and an expected.json, no code. samples/README.md documents the keys.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/result.h"

namespace intake::samplegen {

// A calendar date; written in documents in the Japanese era (令和8年11月1日).
struct Date {
  int year = 0;
  int month = 0;
  int day = 0;
};

struct Person {
  std::string name;  // family and given name separated by a full-width space: 山田　太郎
  std::string kana;  // katakana reading, same separation: ヤマダ　タロウ
  Date birth_date;
  std::string sex;      // 男 / 女
  std::string address;  // fictional
  std::string phone;    // fictional: 03-0000-xxxx
};

struct FamilyMember {
  Person person;
  std::string relation;  // 続柄 as seen from the patient: 長女, 妻, 長男 ...
  bool living_together = false;
};

struct Application {
  Date date;               // 申込日
  std::string department;  // 希望診療科
  std::string attendee;    // 受診者: 患者本人 / 家族のみ / 患者本人と家族
};

struct Referral {
  Date date;
  std::string clinic;  // 紹介元 (fictional)
  std::string clinic_address;
  std::string clinic_phone;
  std::string physician;                   // 主治医 (fictional)
  std::string diagnosis;                   // 傷病名
  std::string purpose;                     // 紹介目的 (default セカンドオピニオン)
  std::string history;                     // 既往歴及び家族歴
  std::string course;                      // 症状経過及び検査結果
  std::string treatment;                   // 治療経過
  std::vector<std::string> prescriptions;  // 現在の処方, one line each
  std::string remarks;                     // 備考
  Date test_date;  // 採取日 of the blood test (default: the referral's date)
};

// The patient's own words on the consultation sheet.
struct Consultation {
  std::string summary;                 // 相談内容
  std::vector<std::string> questions;  // 質問事項, 2-3
};

// The CT/MR series written by intake::dicom::WriteSyntheticDisc for a dicom_disc file.
struct DicomSpec {
  std::string modality = "CT";
  std::string body_part = "ABDOMEN";
  std::string study_description;
  std::string series_description;
  Date study_date;
  int slices = 8;
};

enum class FileFormat { kPdfText, kPdfScan, kTiffScan, kDicomDisc, kZip };

// One file (or folder, for a disc) of the submission.
struct FileSpec {
  std::string path;  // relative, UTF-8, may contain '/'
  FileFormat format = FileFormat::kPdfText;
  std::vector<std::string> documents;  // document type ids, in page order
  int dpi = 200;                       // scans: 200 (pdf_scan) or 300 (tiff_scan) by default
  std::vector<FileSpec> contents;      // kZip: the files inside the archive
};

struct SampleSpec {
  std::string name;         // the folder name under samples/
  std::string description;  // one line, Japanese or English
  std::string submission;   // what `intake process` gets, relative to <out>/<sample>/submission
  std::uint32_t seed = 1;   // for degradation; fixed so that runs are reproducible
  Person patient;
  std::string patient_id;  // the clinic's patient number (fictional)
  Application application;
  Referral referral;
  Consultation consultation;
  std::optional<FamilyMember> family;
  DicomSpec dicom;
  std::vector<FileSpec> files;
};

// Reads and checks one sample.yaml; the error names the file and the key.
Result<SampleSpec> LoadSampleSpec(const std::filesystem::path& yaml_path);

std::string_view FileFormatName(FileFormat format);

}  // namespace intake::samplegen
