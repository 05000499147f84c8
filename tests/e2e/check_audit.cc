// intake-e2e-audit: the audit trail of a real output folder (made by dashboard_setup.sh).
//
// Checks that audit.log holds one case_processed record per case folder, agreeing with its
// report.json (verdict, requirement statuses, submission and profile hashes, every input file
// hashed, top-level files' hashes recomputed here); that it holds no patient data: only ASCII
// (every name and text in the samples is Japanese), no file name of the submissions, no patient
// number, phone number or birth date; that intake's own log is as clean; that `intake audit
// --verify` calls it intact and `intake audit CASE` prints each case; and that a copy with one
// edited record is called broken (exit 5) at that record.
//
// Usage: intake-e2e-audit --intake PATH --run RUN_DIR --samples SAMPLES_SOURCE_DIR
//                         --generated SAMPLES_BUILD_DIR --sample NAME...
// Exit codes: 0 pass, 1 a check failed, 2 usage or setup error.
#include <yaml-cpp/yaml.h>

#include <algorithm>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "pipeline/hash.h"
#include "tests/e2e/e2e_support.h"

namespace {

namespace fs = std::filesystem;
using intake::e2e::ReadFile;
using nlohmann::json;

int failures = 0;

void Check(bool ok, const std::string& what, const std::string& detail = {}) {
  std::printf("  %-6s %s%s%s\n", ok ? "ok" : "FAIL", what.c_str(), detail.empty() ? "" : ": ",
              detail.c_str());
  if (!ok) ++failures;
}

// Strings of a sample that identify the patient or the submission and are ASCII (Japanese ones
// are caught by the ASCII check): file names and their path components, patient numbers, phone
// numbers, birth dates (ISO and DICOM form).
void CollectAsciiSecrets(const YAML::Node& spec, std::set<std::string>& out) {
  const auto add = [&](const YAML::Node& node) {
    if (!node || !node.IsScalar()) return;
    const std::string value = node.as<std::string>();
    if (value.size() >= 4) out.insert(value);
    if (value.size() == 10 && value[4] == '-' && value[7] == '-') {
      out.insert(value.substr(0, 4) + value.substr(5, 2) + value.substr(8, 2));
    }
  };
  add(spec["patient_id"]);
  for (const char* person : {"patient", "family"}) {
    if (!spec[person]) continue;
    add(spec[person]["birth_date"]);
    add(spec[person]["phone"]);
  }
  if (spec["referral"]) add(spec["referral"]["clinic_phone"]);
  std::vector<YAML::Node> files{spec["files"]};
  while (!files.empty()) {
    const YAML::Node list = files.back();
    files.pop_back();
    if (!list || !list.IsSequence()) continue;
    for (const auto& file : list) {
      if (!file["path"]) continue;
      const fs::path path = file["path"].as<std::string>();
      for (const auto& part : path) {
        if (part.string().size() >= 4) out.insert(part.string());
      }
      if (file["contents"]) files.push_back(file["contents"]);
    }
  }
}

std::string Hex64OrEmpty(const json& value) {
  if (!value.is_string()) return {};
  const std::string s = value.get<std::string>();
  if (s.size() != 64 || s.find_first_not_of("0123456789abcdef") != std::string::npos) return {};
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path intake, run, samples_src, samples_gen;
  std::vector<std::string> samples;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string arg = argv[i];
    if (arg == "--intake")
      intake = argv[i + 1];
    else if (arg == "--run")
      run = argv[i + 1];
    else if (arg == "--samples")
      samples_src = argv[i + 1];
    else if (arg == "--generated")
      samples_gen = argv[i + 1];
    else if (arg == "--sample")
      samples.push_back(argv[i + 1]);
  }
  if (intake.empty() || run.empty() || samples_src.empty() || samples_gen.empty() ||
      samples.empty()) {
    std::fprintf(stderr,
                 "usage: intake-e2e-audit --intake PATH --run DIR --samples DIR --generated DIR "
                 "--sample NAME...\n");
    return 2;
  }
  const fs::path out = run / "out";
  const auto log = ReadFile(out / "audit.log");
  if (!log) {
    std::fprintf(stderr, "no %s: did the fixture e2e.dashboard_setup run?\n",
                 (out / "audit.log").c_str());
    return 2;
  }

  // --- no patient data, in the audit trail and in intake's log ---
  std::set<std::string> secrets;
  std::map<std::string, fs::path> submission_roots;  // sample -> the folder it was generated in
  for (const auto& sample : samples) {
    try {
      const YAML::Node spec = YAML::LoadFile((samples_src / sample / "sample.yaml").string());
      CollectAsciiSecrets(spec, secrets);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s: %s\n", sample.c_str(), e.what());
      return 2;
    }
    std::error_code ec;
    const fs::path root = samples_gen / sample / "submission";
    submission_roots[sample] = root;
    for (fs::recursive_directory_iterator it(root, ec), end; it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (name.size() >= 4) secrets.insert(name);
    }
  }
  secrets.erase("DICOMDIR");  // the standard's fixed name, not the patient's
  const std::string intake_log = ReadFile(run / "intake.log").value_or("");
  Check(intake::e2e::IsAscii(*log), "audit.log is ASCII only (no Japanese names or text)");
  Check(intake::e2e::IsAscii(intake_log), "intake's log is ASCII only");
  std::size_t leaks = 0;
  for (const auto& secret : secrets) {
    if (log->find(secret) != std::string::npos) {
      Check(false, "audit.log names no file, number or date of the patient", "found " + secret);
      ++leaks;
    }
    if (intake_log.find(secret) != std::string::npos) {
      Check(false, "intake's log names no file, number or date of the patient", "found " + secret);
      ++leaks;
    }
  }
  Check(leaks == 0, "none of " + std::to_string(secrets.size()) +
                        " file names, numbers and dates of the samples in either log");

  // --- one record per case, agreeing with the report ---
  std::vector<json> records;
  std::size_t all_records = 0;
  size_t line_start = 0;
  while (line_start < log->size()) {
    const size_t end = log->find('\n', line_start);
    json record = json::parse(log->substr(line_start, end - line_start), nullptr, false);
    ++all_records;
    // A case's state changes are records of their own (`case_state`, issue 15): one
    // case_processed record per case is what is checked here.
    if (!(record.is_object() && record.value("event", "") == "case_state")) {
      records.push_back(std::move(record));
    }
    line_start = end == std::string::npos ? log->size() : end + 1;
  }
  std::vector<fs::path> case_dirs;
  for (const auto& entry : fs::directory_iterator(out)) {
    if (fs::exists(entry.path() / "report.json")) case_dirs.push_back(entry.path());
  }
  Check(case_dirs.size() == samples.size(), "one case folder per sample",
        std::to_string(case_dirs.size()));
  Check(records.size() == case_dirs.size(), "one audit record per case",
        std::to_string(records.size()));

  for (const auto& dir : case_dirs) {
    const json report = json::parse(ReadFile(dir / "report.json").value_or(""), nullptr, false);
    const std::string case_id = report.value("case_id", "");
    const json* record = nullptr;
    for (const auto& r : records) {
      if (r.is_object() && r.value("case_id", "") == case_id) record = &r;
    }
    Check(record != nullptr, "case " + case_id + " has a record");
    if (record == nullptr) continue;
    const json& d = (*record)["details"];
    Check((*record)["event"] == "case_processed", case_id + ": event case_processed");
    Check(d["verdict"] == report["verdict"], case_id + ": verdict as in report.json",
          d["verdict"].dump());
    Check(d["submission_sha256"] == report["submission"]["sha256"],
          case_id + ": submission hash as in report.json");
    Check(d["profile"]["sha256"] == report["profile"]["sha256"] &&
              !Hex64OrEmpty(d["profile"]["sha256"]).empty(),
          case_id + ": profile hash as in report.json");
    bool statuses_agree = d["requirements"].size() == report["requirements"].size();
    for (std::size_t i = 0; statuses_agree && i < d["requirements"].size(); ++i) {
      statuses_agree = d["requirements"][i]["id"] == report["requirements"][i]["id"] &&
                       d["requirements"][i]["status"] == report["requirements"][i]["status"] &&
                       d["requirements"][i]["reason_code"].is_string();
    }
    Check(statuses_agree, case_id + ": every requirement's status and a reason code");
    const json& models = d["versions"]["ocr_models"];
    Check(models.is_array() && !models.empty() && models[0]["name"] == "jpn.traineddata" &&
              !Hex64OrEmpty(models[0]["sha256"]).empty() && models[0]["size"].get<int>() > 0,
          case_id + ": OCR model file named, sized and hashed");
    Check(d["versions"]["dicom"].get<std::string>().find("DCMTK") == 0,
          case_id + ": DICOM library version");

    // Every input file hashed; top-level files' hashes recomputed from the submission.
    const json& files = report["submission"]["files"];
    Check(d["input_files"].size() == files.size(),
          case_id + ": a hash for each of the " + std::to_string(files.size()) + " files");
    std::size_t hashed = 0, recomputed = 0, matched = 0;
    for (std::size_t i = 0; i < d["input_files"].size() && i < files.size(); ++i) {
      const json& f = d["input_files"][i];
      if (!Hex64OrEmpty(f["sha256"]).empty()) ++hashed;
      if (!files[i]["container"].is_null()) continue;
      for (const auto& [sample, root] : submission_roots) {
        const fs::path path = root / files[i]["path"].get<std::string>();
        if (!fs::is_regular_file(path)) continue;
        auto hash = intake::Sha256File(path);
        if (!hash.ok()) continue;
        ++recomputed;
        if (*hash == f["sha256"]) ++matched;
        break;
      }
    }
    Check(hashed == files.size(), case_id + ": every input file hash is a SHA-256",
          std::to_string(hashed));
    Check(recomputed > 0 && matched == recomputed,
          case_id + ": top-level file hashes match the submission's files",
          std::to_string(matched) + "/" + std::to_string(recomputed));
  }

  // --- the CLI ---
  const fs::path stdout_path = run / "audit-cli.out";
  const auto run_intake = [&](std::vector<std::string> args) {
    args.insert(args.begin(), intake.string());
    const int code = intake::e2e::Run(
        args, {.stdout_path = stdout_path, .stderr_path = run / "audit-cli.err", .extra_env = {}});
    return std::make_pair(code, ReadFile(stdout_path).value_or(""));
  };
  auto [code, text] = run_intake({"audit", "--verify", "--out", out.string()});
  Check(code == 0 && text.find("intact: " + std::to_string(all_records) + " records") !=
                         std::string::npos,
        "intake audit --verify: intact", "exit " + std::to_string(code) + ", " + text);
  for (const auto& dir : case_dirs) {
    const std::string case_id = dir.filename().string();
    std::tie(code, text) = run_intake({"audit", case_id, "--out", out.string()});
    Check(code == 0 && text.find(case_id) != std::string::npos &&
              text.find("case_processed") != std::string::npos &&
              text.find("referral_letter") != std::string::npos && intake::e2e::IsAscii(text),
          "intake audit " + case_id + " prints its record", "exit " + std::to_string(code));
  }
  std::tie(code, text) = run_intake({"audit", "19990101-00000000", "--out", out.string()});
  Check(code == 1, "intake audit on an unknown case: exit 1", std::to_string(code));

  // A copy with the first record's verdict edited is broken at line 1.
  const fs::path tampered = run / "tampered";
  fs::remove_all(tampered);
  fs::create_directories(tampered);
  fs::copy_file(out / "audit.head", tampered / "audit.head");
  std::string edited = *log;
  const auto at = edited.find("\"verdict\":\"");
  if (at != std::string::npos) edited.replace(at, 11, "\"verdict\":\"x");
  { std::ofstream(tampered / "audit.log", std::ios::binary) << edited; }
  // The first record with a verdict (a case_state record may come before it).
  const std::string edited_line =
      "line " + std::to_string(1 + std::count(edited.begin(),
                                              edited.begin() + static_cast<std::ptrdiff_t>(
                                                                   std::min(at, edited.size())),
                                              '\n'));
  std::tie(code, text) = run_intake({"audit", "--verify", "--out", tampered.string()});
  Check(code == 5 && text.find(edited_line) != std::string::npos,
        "an edited record: intake audit --verify exits 5 naming " + edited_line,
        "exit " + std::to_string(code) + ", " + text);

  std::printf("%s\n", failures == 0 ? "PASS" : "FAIL");
  return failures == 0 ? 0 : 1;
}
