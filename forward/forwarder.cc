#include "forward/forwarder.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "dicom/dicom_reader.h"
#include "dicom/storage_scu.h"
#include "forward/forward_publish.h"
#include "pipeline/atomic_file.h"
#include "pipeline/fault_points.h"
#include "pipeline/log.h"
#include "pipeline/local_time.h"

namespace intake::forward {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::size_t kSaveEvery = 16;  // instances between two saves of forward.json

struct Instance {
  std::string sop_instance_uid;
  std::string sop_class_uid;
  std::string transfer_syntax_uid;
  std::string file;  // relative to the case folder
};

Result<json> ReadJsonFile(const fs::path& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Result<json>::Fail(what + " cannot be read");
  json parsed = json::parse(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(),
                            nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object())
    return Result<json>::Fail(what + " is not JSON");
  return parsed;
}

// The array or object `j[key]`, or an empty array when `j` or the member has another shape.
const json& Items(const json& j, const char* key) {
  static const json kNone = json::array();
  if (!j.is_object() || !j.contains(key)) return kNone;
  const json& member = j[key];
  return member.is_array() || member.is_object() ? member : kNone;
}

// Every DICOM file in the series folders report.json names, one per SOP Instance UID, in the
// report's order (series by series, files by name).
std::vector<Instance> CaseInstances(const fs::path& case_dir, const json& report) {
  std::vector<Instance> out;
  std::set<std::string> seen;
  for (const json& patient : Items(Items(report, "imaging"), "patients")) {
    for (const json& study : Items(patient, "studies")) {
      for (const json& series : Items(study, "series")) {
        if (!series.contains("folder") || !series["folder"].is_string()) continue;
        const fs::path dicom_dir = case_dir / series["folder"].get<std::string>() / "DICOM";
        std::error_code ec;
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(dicom_dir, ec)) {
          if (entry.is_regular_file(ec)) files.push_back(entry.path());
        }
        std::sort(files.begin(), files.end());
        for (const fs::path& file : files) {
          auto header = dicom::ReadHeader(file);
          if (!header.ok() || header->is_dicomdir) continue;
          if (!seen.insert(header->sop_instance_uid).second) continue;
          out.push_back({header->sop_instance_uid, header->sop_class_uid,
                         header->transfer_syntax_uid,
                         fs::relative(file, case_dir, ec).generic_string()});
        }
      }
    }
  }
  return out;
}

// DICOM DT of now with its offset, for Attribute Modification DateTime.
std::string DicomDateTimeNow() { return FormatLocalNow("%Y%m%d%H%M%S%z"); }

std::string StatusHex(std::uint16_t status) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04X", status);
  return buf;
}

json ReconciliationJson(const std::optional<LocalPatient>& patient) {
  if (!patient) return nullptr;
  return {{"patient_id", patient->patient_id},
          {"issuer", patient->issuer},
          {"birth_date", patient->birth_date},
          {"patient_name", patient->patient_name}};
}

// The destination's entry of forward.json; reset when it was sent with another identity.
json& DestinationState(json& state, const ForwardOptions& options) {
  json& destinations = state["destinations"];
  if (!destinations.is_object()) destinations = json::object();
  json& entry = destinations[options.destination.Key()];
  const json reconciliation = ReconciliationJson(options.local_patient);
  if (!entry.is_object() || entry.value("reconciliation", json()) != reconciliation) {
    entry = {{"called_aet", options.destination.called_aet},
             {"host", options.destination.host},
             {"port", options.destination.port},
             {"reconciliation", reconciliation},
             {"instances", json::object()}};
  }
  return entry;
}

bool Acknowledged(const json& instances, const std::string& uid) {
  if (!instances.contains(uid)) return false;
  const std::string state = instances[uid].value("state", "");
  return state == "stored" || state == "already_there";
}

class Run {
 public:
  Run(const ForwardOptions& options, fs::path case_dir, json state)
      : options_(options), case_dir_(std::move(case_dir)), state_(std::move(state)) {}

  Result<ForwardSummary> Go(const std::vector<Instance>& instances);

 private:
  Status Save() { return WriteFileAtomically(case_dir_ / kStateFileName, state_.dump(2) + "\n"); }
  void Record(const Instance& instance, InstanceResult result);
  // One association: C-ECHO, then the pending instances in order until the connection fails.
  // Returns whether progress was made; `pending` keeps what is still to send.
  bool SendSome(std::vector<const Instance*>& pending);

  const ForwardOptions& options_;
  fs::path case_dir_;
  json state_;
  ForwardSummary summary_;
  std::size_t unsaved_ = 0;
};

void Run::Record(const Instance& instance, InstanceResult result) {
  json entry = {{"file", instance.file},
                {"state", InstanceStateName(result.state)},
                {"at", NowIso8601()},
                {"decompressed", result.decompressed}};
  if (result.status) entry["status"] = StatusHex(*result.status);
  if (!result.error.empty()) entry["error"] = result.error;
  DestinationState(state_, options_)["instances"][instance.sop_instance_uid] = entry;
  if (result.state == InstanceState::kStored) ++summary_.stored;
  if (result.state == InstanceState::kFailed) ++summary_.failed;
  if (result.decompressed && result.state == InstanceState::kStored) ++summary_.decompressed;
  summary_.results.push_back(std::move(result));
  if (++unsaved_ >= kSaveEvery) {
    unsaved_ = 0;
    if (Status s = Save(); !s.ok()) Log()->warn("forward: state not saved: {}", s.message());
  }
}

bool Run::SendSome(std::vector<const Instance*>& pending) {
  std::vector<dicom::ClassAndSyntax> pairs;
  for (const Instance* i : pending) pairs.emplace_back(i->sop_class_uid, i->transfer_syntax_uid);
  dicom::DicomPeer peer{options_.destination.called_aet, options_.destination.host,
                        options_.destination.port, options_.calling_aet, options_.timeout_seconds};
  auto association = dicom::StorageAssociation::Open(peer, pairs);
  if (!association.ok()) {
    summary_.problem = association.message();
    return false;
  }
  if (Status echo = (*association)->Echo(); !echo.ok()) {
    summary_.problem = echo.message();
    return false;
  }
  summary_.echo_ok = true;
  dicom::Reconciliation reconcile;
  if (options_.local_patient) {
    reconcile.patient_id = options_.local_patient->patient_id;
    reconcile.issuer = options_.local_patient->issuer;
    reconcile.birth_date = options_.local_patient->birth_date;
    reconcile.patient_name = options_.local_patient->patient_name;
    reconcile.modified_at = DicomDateTimeNow();
  }
  bool progress = false;
  std::size_t done = 0;
  for (; done < pending.size(); ++done) {
    const Instance& instance = *pending[done];
    const dicom::StoreOutcome outcome =
        (*association)
            ->Store(case_dir_ / instance.file, options_.local_patient ? &reconcile : nullptr);
    if (outcome.connection_lost) {
      summary_.problem = outcome.error;
      break;
    }
    InstanceResult result{instance.sop_instance_uid,
                          instance.file,
                          InstanceState::kFailed,
                          std::nullopt,
                          outcome.error,
                          outcome.decompressed};
    if (outcome.responded) {
      result.status = outcome.status;
      if (dicom::IsSuccessStatus(outcome.status)) result.state = InstanceState::kStored;
    }
    Record(instance, std::move(result));
    progress = true;
    if (outcome.responded && dicom::IsSuccessStatus(outcome.status)) {
      PausePoint("forward_stored");
    }
  }
  pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(done));
  return progress;
}

Result<ForwardSummary> Run::Go(const std::vector<Instance>& instances) {
  summary_.started_at = NowIso8601();
  summary_.instances = instances.size();
  summary_.reconciled = options_.local_patient.has_value();
  std::vector<const Instance*> pending;
  {
    const json& known = DestinationState(state_, options_)["instances"];
    for (const Instance& instance : instances) {
      if (Acknowledged(known, instance.sop_instance_uid)) {
        ++summary_.already_there;
        summary_.results.push_back({instance.sop_instance_uid, instance.file,
                                    InstanceState::kAlreadyThere, std::nullopt, "", false});
      } else {
        pending.push_back(&instance);
      }
    }
  }
  auto backoff = options_.first_backoff;
  int failures = 0;
  while (!pending.empty()) {
    if (SendSome(pending)) failures = 0;
    if (pending.empty()) break;
    if (++failures > options_.retries) break;
    Log()->info("forward: PACS not reachable or connection lost, retry {}/{} in {} ms", failures,
                options_.retries, backoff.count());
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(30000));
  }
  if (pending.empty()) summary_.problem.clear();  // a retry got through: nothing to report
  for (const Instance* instance : pending) {      // never acknowledged: sent again next time
    Record(*instance, {instance->sop_instance_uid, instance->file, InstanceState::kFailed,
                       std::nullopt, summary_.problem, false});
  }
  summary_.finished_at = NowIso8601();
  json& destination = DestinationState(state_, options_);
  destination["last_run"] = SummaryJson(summary_, options_);
  if (Status s = Save(); !s.ok()) return Error{"forward.json could not be written: " + s.message()};
  return std::move(summary_);
}

Result<ForwardSummary> Forward(const ForwardOptions& options) {
  const fs::path case_dir = options.out_dir / options.case_id;
  auto report = ReadJsonFile(case_dir / "report.json", "the case's report.json");
  RETURN_IF_ERROR(report);
  const std::vector<Instance> instances = CaseInstances(case_dir, *report);
  if (instances.empty()) {  // no imaging: nothing to send, nothing to record
    ForwardSummary none;
    none.started_at = none.finished_at = NowIso8601();
    return none;
  }
  // One forward of a case at a time (`intake forward` beside the watcher's): the state file is
  // read, extended and replaced.
  auto lock = FileLock::Acquire(case_dir / ".forward.lock");
  if (!lock.ok()) return Error{"the case folder cannot be locked: " + lock.message()};
  json state = json{{"schema", kStateSchema}, {"case_id", options.case_id}};
  if (fs::exists(case_dir / kStateFileName)) {
    auto loaded = ReadJsonFile(case_dir / kStateFileName, "forward.json");
    RETURN_IF_ERROR(loaded);
    state = std::move(*loaded);
  }
  Run run(options, case_dir, std::move(state));
  auto summary = run.Go(instances);
  RETURN_IF_ERROR(summary);
  if (Status s = PublishForwarding(options, case_dir, *summary); !s.ok()) {
    return Error{s.message()};
  }
  return summary;
}

}  // namespace

bool IsAeTitle(const std::string& text) {
  return !text.empty() && text.size() <= 16 && std::all_of(text.begin(), text.end(), [](char c) {
    return c >= 0x20 && c < 0x7f && c != '\\';
  }) && text.find_first_not_of(' ') != std::string::npos;
}

std::string Destination::Key() const {
  return called_aet + "@" + host + ":" + std::to_string(port);
}

Result<Destination> ParseDestination(const std::string& text) {
  const auto at = text.find('@');
  const auto colon = text.rfind(':');
  if (at == std::string::npos || colon == std::string::npos || colon < at) {
    return Result<Destination>::Fail("--pacs must be AET@HOST:PORT, e.g. PACS@10.0.0.5:104");
  }
  Destination d{text.substr(0, at), text.substr(at + 1, colon - at - 1), 0};
  const std::string port = text.substr(colon + 1);
  if (!IsAeTitle(d.called_aet)) {
    return Result<Destination>::Fail("--pacs: the AE title must be 1-16 ASCII characters");
  }
  if (d.host.empty()) return Result<Destination>::Fail("--pacs: no host");
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoi(port) < 1 || std::stoi(port) > 65535) {
    return Result<Destination>::Fail("--pacs: the port must be 1-65535");
  }
  d.port = std::stoi(port);
  return d;
}

Status ValidateLocalPatient(const LocalPatient& patient) {
  const auto ascii = [](const std::string& s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return c >= 0x20 && c < 0x7f && c != '\\'; });
  };
  if (patient.patient_id.empty() || patient.patient_id.size() > 64 || !ascii(patient.patient_id)) {
    return Status::Fail("--patient-id must be 1-64 ASCII characters");
  }
  if (patient.issuer.empty() || patient.issuer.size() > 64 || !ascii(patient.issuer)) {
    return Status::Fail("--issuer must be given with --patient-id (1-64 ASCII characters)");
  }
  if (!patient.birth_date.empty() &&
      (patient.birth_date.size() != 8 ||
       !std::all_of(patient.birth_date.begin(), patient.birth_date.end(),
                    [](char c) { return c >= '0' && c <= '9'; }))) {
    return Status::Fail("--birth-date must be YYYYMMDD");
  }
  const std::string& name = patient.patient_name;
  if (name.size() > 192 || dicom::SanitizeToUtf8(name) != name ||
      std::any_of(name.begin(), name.end(),
                  [](char c) { return c == '\\' || (static_cast<unsigned char>(c) < 0x20); })) {
    return Status::Fail("--patient-name must be UTF-8 text without backslashes (DICOM PN)");
  }
  return Status::Ok();
}

std::string_view InstanceStateName(InstanceState state) {
  switch (state) {
    case InstanceState::kStored:
      return "stored";
    case InstanceState::kAlreadyThere:
      return "already_there";
    case InstanceState::kFailed:
      return "failed";
  }
  return "failed";
}

std::string NowIso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char date[32];
  char offset[8];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
  std::strftime(offset, sizeof offset, "%z", &tm);  // +0900
  const std::string z = offset;
  return std::string(date) + (z.size() == 5 ? z.substr(0, 3) + ":" + z.substr(3) : z);
}

Result<ForwardSummary> ForwardCase(const ForwardOptions& options) {
  try {
    return Forward(options);
  } catch (const json::exception&) {
    // report.json or forward.json edited into another shape: their content is not shown.
    return Result<ForwardSummary>::Fail("report.json or forward.json has an unexpected shape");
  } catch (const std::exception&) {
    return Result<ForwardSummary>::Fail("the case folder could not be read");
  }
}

}  // namespace intake::forward
