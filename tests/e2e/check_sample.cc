// intake-e2e-check: runs `intake process` on one generated sample and compares its report.json
// with the sample's expected.json (verdict, every requirement status, the set of document types,
// the listed facts), then checks that report.html exists and names the case.
//
// Usage: intake-e2e-check --intake PATH --sample SAMPLE_SOURCE_DIR --generated SAMPLE_OUT_DIR
//                         [--work-root DIR] [--keep]
//   SAMPLE_SOURCE_DIR holds sample.yaml (its `submission` key: what to process, relative to
//   SAMPLE_OUT_DIR/submission) and expected.json. Each run gets a fresh output folder under
//   --work-root (default: the system temp folder); it is removed after a pass unless --keep, and
//   kept after a failure for a look.
// Exit codes: 0 the report matches, 1 a mismatch or intake failed, 2 usage or setup error.
#include <stdlib.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/e2e/e2e_support.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Arguments {
  fs::path intake;
  fs::path sample;
  fs::path generated;
  fs::path work_root = fs::temp_directory_path();
  bool keep = false;
};

bool ParseArguments(int argc, char** argv, Arguments& args) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--intake" && has_value) {
      args.intake = argv[++i];
    } else if (arg == "--sample" && has_value) {
      args.sample = argv[++i];
    } else if (arg == "--generated" && has_value) {
      args.generated = argv[++i];
    } else if (arg == "--work-root" && has_value) {
      args.work_root = argv[++i];
    } else if (arg == "--keep") {
      args.keep = true;
    } else {
      return false;
    }
  }
  return !args.intake.empty() && !args.sample.empty() && !args.generated.empty();
}

using intake::e2e::ReadFile;

// Runs the program with stdout passed through and stderr (its log) written to `log`.
int Run(const std::vector<std::string>& argv, const fs::path& log) {
  return intake::e2e::Run(argv, {.stdout_path = {}, .stderr_path = log, .extra_env = {}});
}

// --- reading report.json tolerantly: values may be plain or {"value": ...} / {"status": ...} ---

json Unwrap(const json& node, const char* key) {
  if (node.is_object() && node.contains(key)) return node.at(key);
  return node;
}

std::string Text(const json& node) {
  if (node.is_null()) return "(absent)";
  return node.dump();
}

// Requirement id -> status, from an array of {"id", "status"} or an object keyed by id.
std::map<std::string, json> Requirements(const json& report) {
  std::map<std::string, json> out;
  const json& node = report.contains("requirements") ? report.at("requirements") : json();
  if (node.is_array()) {
    for (const json& item : node) {
      if (item.is_object() && item.contains("id")) {
        out[item.at("id").get<std::string>()] = Unwrap(item, "status");
      }
    }
  } else if (node.is_object()) {
    for (const auto& [id, item] : node.items()) out[id] = Unwrap(item, "status");
  }
  return out;
}

// Fact name -> value, from an object keyed by name or an array of {"name", "value"}.
std::map<std::string, json> Facts(const json& report) {
  std::map<std::string, json> out;
  const json& node = report.contains("facts") ? report.at("facts") : json();
  if (node.is_object()) {
    for (const auto& [name, item] : node.items()) out[name] = Unwrap(item, "value");
  } else if (node.is_array()) {
    for (const json& item : node) {
      if (item.is_object() && item.contains("name")) {
        out[item.at("name").get<std::string>()] = Unwrap(item, "value");
      }
    }
  }
  return out;
}

std::set<std::string> DocumentTypes(const json& report) {
  std::set<std::string> out;
  if (!report.contains("documents") || !report.at("documents").is_array()) return out;
  for (const json& document : report.at("documents")) {
    if (document.is_object() && document.contains("type") && document.at("type").is_string()) {
      const std::string type = document.at("type").get<std::string>();
      if (type != "other") out.insert(type);
    }
  }
  return out;
}

std::string CaseId(const json& report) {
  for (const char* key : {"case_id", "id"}) {
    if (report.contains(key) && report.at(key).is_string())
      return report.at(key).get<std::string>();
  }
  if (report.contains("case") && report.at("case").is_object()) {
    const json& c = report.at("case");
    for (const char* key : {"id", "case_id"}) {
      if (c.contains(key) && c.at(key).is_string()) return c.at(key).get<std::string>();
    }
  }
  return {};
}

std::string Join(const std::set<std::string>& items) {
  std::string out = "[";
  for (const std::string& item : items) out += (out.size() > 1 ? ", " : "") + item;
  return out + "]";
}

// Collects per-field results and prints them as one table.
class Comparison {
 public:
  void Check(const std::string& field, const std::string& expected, const std::string& got) {
    rows_.push_back({field, expected, got, expected == got});
  }
  void Fail(const std::string& field, const std::string& message) {
    rows_.push_back({field, "", message, false});
  }
  bool ok() const {
    return std::all_of(rows_.begin(), rows_.end(), [](const Row& r) { return r.ok; });
  }
  void Print() const {
    for (const Row& r : rows_) {
      if (r.ok) {
        std::printf("  ok        %-28s %s\n", r.field.c_str(), r.got.c_str());
      } else {
        std::printf("  MISMATCH  %-28s expected %s\n  %-38s got      %s\n", r.field.c_str(),
                    r.expected.c_str(), "", r.got.c_str());
      }
    }
  }

 private:
  struct Row {
    std::string field, expected, got;
    bool ok;
  };
  std::vector<Row> rows_;
};

// The log must hold no patient data: every name, file name and text from these samples is
// Japanese, so any non-ASCII byte is a leak; and no file name of the submission may appear
// (but DICOMDIR, the standard's fixed name).
void CheckLogHasNoPatientData(const std::string& log, const fs::path& submission,
                              Comparison& result) {
  std::size_t lines = 0;
  for (char ch : log) lines += ch == '\n';
  result.Check("log written", "yes", lines > 0 ? "yes" : "no");
  const bool ascii = intake::e2e::IsAscii(log);
  result.Check("log is ASCII only (no names or text)", "yes", ascii ? "yes" : "no");
  std::error_code ec;
  for (fs::recursive_directory_iterator it(submission, ec), end; it != end; it.increment(ec)) {
    const std::string file_name = it->path().filename().string();
    if (file_name == "DICOMDIR") continue;  // the standard's name, logged as a count label
    if (file_name.size() >= 4 && log.find(file_name) != std::string::npos)
      result.Fail("log names no submitted file", "found " + file_name);
  }
}

void Compare(const json& expected, const json& report, Comparison& result) {
  if (expected.contains("verdict")) {
    result.Check("verdict", Text(expected.at("verdict")),
                 Text(report.contains("verdict") ? Unwrap(report.at("verdict"), "value") : json()));
  }
  if (expected.contains("requirements")) {
    const auto got = Requirements(report);
    for (const auto& [id, status] : expected.at("requirements").items()) {
      const auto it = got.find(id);
      result.Check("requirements." + id, Text(status),
                   it == got.end() ? "(absent)" : Text(it->second));
    }
    for (const auto& [id, status] : got) {
      if (!expected.at("requirements").contains(id)) {
        result.Check("requirements." + id, "(not in expected.json)", Text(status));
      }
    }
  }
  if (expected.contains("document_types")) {
    std::set<std::string> want;
    for (const json& type : expected.at("document_types")) want.insert(type.get<std::string>());
    result.Check("document_types", Join(want), Join(DocumentTypes(report)));
  }
  if (expected.contains("facts")) {
    const auto got = Facts(report);
    for (const auto& [name, value] : expected.at("facts").items()) {
      const auto it = got.find(name);
      result.Check("facts." + name, Text(value), it == got.end() ? "(absent)" : Text(it->second));
    }
  }
}

// The physician's case folder: the reports on top (with the case's state and the letter to the
// patient the report names), numbered folders and nothing else (no work area, no temporary files); every path the report names exists; the kept original passes
// `sha256sum -c`; the top-level folders are the ones expected.json lists as `case_folders`.
void CheckCaseFolder(const json& expected, const json& report, const fs::path& case_dir,
                     Comparison& result) {
  std::set<std::string> folders;
  for (const auto& entry : fs::directory_iterator(case_dir)) {
    const std::string entry_name = entry.path().filename().string();
    if (entry_name == "report.json" || entry_name == "report.html") continue;
    // The case's state (issue 15), and the letter to the patient when the report names it.
    if (entry_name == "case_state.json") continue;
    // The page images and what was read from them, for the review screen (stages/page_evidence).
    if (entry_name == ".pages" && entry.is_directory()) continue;
    if (report.contains("letter") && report["letter"].is_object() &&
        report["letter"].value("file", "") == entry_name && entry.is_regular_file()) {
      continue;
    }
    const bool numbered = entry.is_directory() && entry_name.size() > 3 &&
                          std::isdigit(static_cast<unsigned char>(entry_name[0])) &&
                          std::isdigit(static_cast<unsigned char>(entry_name[1])) &&
                          entry_name[2] == '_';
    if (!numbered) result.Fail("case folder holds only numbered folders", entry_name);
    folders.insert(entry_name);
  }
  if (expected.contains("case_folders")) {
    std::set<std::string> want;
    for (const json& f : expected.at("case_folders")) want.insert(f.get<std::string>());
    result.Check("case_folders", Join(want), Join(folders));
  }
  std::vector<std::string> named;
  for (const json& p : report.value("pages", json::array())) {
    for (const char* key : {"image", "words"}) {
      if (p.value(key, json()).is_string()) named.push_back(p.at(key).get<std::string>());
    }
  }
  for (const json& d : report.value("documents", json::array())) {
    if (d.value("pdf", json()).is_string()) named.push_back(d.at("pdf").get<std::string>());
  }
  for (const json& p : report.value("imaging", json::object()).value("patients", json::array())) {
    for (const json& st : p.value("studies", json::array())) {
      for (const json& se : st.value("series", json::array())) {
        for (const char* key : {"key_image", "folder"}) {
          if (se.value(key, json()).is_string()) named.push_back(se.at(key).get<std::string>());
        }
      }
    }
  }
  const json submission = report.value("submission", json::object());
  for (const char* key : {"original", "original_sha256sums"}) {
    if (submission.value(key, json()).is_string()) {
      named.push_back(submission.at(key).get<std::string>());
    } else {
      result.Fail("submission." + std::string(key), "null: the original was not kept");
    }
  }
  for (const std::string& path : named) {
    if (!fs::exists(case_dir / path)) result.Fail("the report's path exists", path);
  }
  if (submission.value("original_sha256sums", json()).is_string()) {
    const fs::path sums = case_dir / submission.at("original_sha256sums").get<std::string>();
    const std::string command =
        "cd '" + sums.parent_path().string() + "' && sha256sum --quiet -c SHA256SUMS";
    result.Check("sha256sum -c of the kept original", "0",
                 std::to_string(std::system(command.c_str())));
  }
}

// The folders holding a report.json anywhere under `root`.
std::vector<fs::path> CaseFolders(const fs::path& root) {
  std::vector<fs::path> found;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file() && it->path().filename() == "report.json") {
      found.push_back(it->path().parent_path());
    }
  }
  return found;
}

}  // namespace

int main(int argc, char** argv) {
  Arguments args;
  if (!ParseArguments(argc, argv, args)) {
    std::fprintf(stderr,
                 "usage: intake-e2e-check --intake PATH --sample DIR --generated DIR "
                 "[--work-root DIR] [--keep]\n");
    return 2;
  }
  const std::string name = args.sample.filename().string();

  json expected;
  std::string submission_key = ".";
  try {
    const auto text = ReadFile(args.sample / "expected.json");
    if (!text) throw std::runtime_error("cannot read expected.json");
    expected = json::parse(*text);
    const YAML::Node spec = YAML::LoadFile((args.sample / "sample.yaml").string());
    if (spec["submission"]) submission_key = spec["submission"].as<std::string>();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), e.what());
    return 2;
  }
  const fs::path submission = (args.generated / "submission" / submission_key).lexically_normal();
  if (!fs::exists(submission)) {
    std::fprintf(stderr, "%s: %s does not exist: build the target intake-samples first\n",
                 name.c_str(), submission.c_str());
    return 2;
  }

  std::error_code ec;
  fs::create_directories(args.work_root, ec);
  std::string templ = (args.work_root / ("intake-e2e-" + name + "-XXXXXX")).string();
  if (mkdtemp(templ.data()) == nullptr) {
    std::fprintf(stderr, "%s: cannot create a folder under %s\n", name.c_str(),
                 args.work_root.c_str());
    return 2;
  }
  const fs::path out = templ;

  std::printf("%s: intake process %s --out %s\n", name.c_str(), submission.c_str(), out.c_str());
  const fs::path log = out.string() + ".log";
  const int code =
      Run({args.intake.string(), "process", submission.string(), "--out", out.string()}, log);

  Comparison result;
  result.Check("intake exit code", "0", std::to_string(code));
  CheckLogHasNoPatientData(ReadFile(log).value_or(""), args.generated / "submission", result);
  fs::remove(log, ec);
  if (code == 0) {
    const auto folders = CaseFolders(out);
    if (folders.size() != 1) {
      result.Fail("case folder",
                  "expected one folder with report.json, found " + std::to_string(folders.size()));
    } else {
      const fs::path case_dir = folders.front();
      std::printf("%s: case folder %s\n", name.c_str(), case_dir.c_str());
      json report;
      try {
        report = json::parse(ReadFile(case_dir / "report.json").value_or(""));
      } catch (const std::exception& e) {
        result.Fail("report.json", std::string("not valid JSON: ") + e.what());
      }
      if (report.is_object()) {
        Compare(expected, report, result);
        CheckCaseFolder(expected, report, case_dir, result);
        const std::string case_id = CaseId(report);
        const auto html = ReadFile(case_dir / "report.html");
        if (!html) {
          result.Fail("report.html", "missing");
        } else if (case_id.empty()) {
          result.Fail("report.html", "report.json names no case id (case_id / id)");
        } else {
          result.Check("report.html has case id", "yes",
                       html->find(case_id) != std::string::npos ? "yes" : "no (" + case_id + ")");
        }
      } else if (result.ok()) {
        result.Fail("report.json", "not a JSON object");
      }
    }
  }

  result.Print();
  if (result.ok()) {
    std::printf("%s: PASS\n", name.c_str());
    if (!args.keep) fs::remove_all(out, ec);
    return 0;
  }
  std::printf("%s: FAIL (output kept in %s)\n", name.c_str(), out.c_str());
  return 1;
}
