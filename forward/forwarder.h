// Forwarding a case's imaging to the hospital's PACS (`intake forward`, and the watcher after a
// complete case): every DICOM instance of the case folder sent by C-STORE, reconciled to the
// local patient ID when one is given (IHE Import Reconciliation), with a result per instance.
//
// The instances are the files in `DICOM/` of each series folder report.json names (hard links
// to the kept original; only read, never changed). C-ECHO comes first on every association. A
// network failure (PACS down, connection lost) is retried with back-off (1, 2, 4 ... s) on a new
// association, for the instances not yet acknowledged; a refusal by the PACS (a failure status)
// is that instance's result and is not retried in the same run.
//
// Resumable: the per-instance state is kept in the case folder, `forward.json` (schema
// intake.forward/1, replaced atomically every few instances and at the end), per destination.
// A later run sends only what that destination has not acknowledged (`already_there` for the
// rest); a run with another local patient ID starts that destination afresh. Two forwards of
// one case wait for each other (an flock on the case folder's .forward.lock).
//
// After each run the case's report.json gets a `forwarding` object and report.html its
// section (the last run per destination: when, to which AE, counts), the output folder's audit
// trail a `case_forwarded` record (AE, host, port, counts; no patient data), and index.html is
// rebuilt so that the case shows as forwarded. A case without DICOM instances sends nothing and
// records nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/result.h"

namespace intake::forward {

inline constexpr std::string_view kStateFileName = "forward.json";
inline constexpr std::string_view kStateSchema = "intake.forward/1";

struct Destination {
  std::string called_aet;
  std::string host;
  int port = 0;
  std::string Key() const;  // "AET@HOST:PORT"
};

// An AE title: 1-16 characters of printable ASCII without backslash, not only spaces.
bool IsAeTitle(const std::string& text);

// "AET@HOST:PORT" (AE title 1-16 characters of printable ASCII without backslash; port
// 1-65535). Fails with a message for the user.
Result<Destination> ParseDestination(const std::string& text);

struct LocalPatient {
  std::string patient_id;  // ASCII, at most 64 characters
  std::string issuer;      // ASCII, at most 64 characters
  std::string birth_date;  // YYYYMMDD or empty (the disc's kept)
  // DICOM PN, UTF-8 (ヤマダ^タロウ=山田^太郎) or empty (the disc's kept). Only ASCII fits a disc
  // not written in UTF-8: those instances fail with a message saying so.
  std::string patient_name;
};

// Checks the values of a local patient (ASCII ID and issuer, lengths, the date's form, a name
// of valid UTF-8 without control characters or backslashes). Message for the user.
Status ValidateLocalPatient(const LocalPatient& patient);

struct ForwardOptions {
  std::filesystem::path out_dir;
  std::string case_id;
  Destination destination;
  std::string calling_aet = "INTAKE";
  std::optional<LocalPatient> local_patient;  // reconcile when set
  int retries = 3;                            // new associations after a network failure
  std::chrono::milliseconds first_backoff{1000};
  int timeout_seconds = 30;
  std::string program_version;  // "intake 0.1.0", in the audit record
};

enum class InstanceState { kStored, kAlreadyThere, kFailed };
std::string_view InstanceStateName(InstanceState state);  // stored, already_there, failed

struct InstanceResult {
  std::string sop_instance_uid;
  std::string file;  // relative to the case folder
  InstanceState state = InstanceState::kFailed;
  std::optional<std::uint16_t> status;  // the PACS's DIMSE status when it answered
  std::string error;                    // failed without an answer: why
  bool decompressed = false;
};

struct ForwardSummary {
  std::string started_at;  // ISO 8601 local time
  std::string finished_at;
  std::size_t instances = 0;  // distinct SOP instances in the case
  std::size_t stored = 0;     // acknowledged in this run
  std::size_t already_there = 0;
  std::size_t failed = 0;
  std::size_t decompressed = 0;  // sent in an uncompressed transfer syntax
  bool echo_ok = false;
  bool reconciled = false;
  std::string problem;  // the last network problem, when instances are left unacknowledged
  std::vector<InstanceResult> results;
  bool complete() const { return failed == 0; }
};

// Forwards the case. Fails (message for the user, no patient data) when the case folder or its
// report cannot be read or the state cannot be written; a PACS that cannot be reached is a
// summary with failed instances and `problem` set, not a failure.
Result<ForwardSummary> ForwardCase(const ForwardOptions& options);

// ISO 8601 local time with offset, now.
std::string NowIso8601();

}  // namespace intake::forward
