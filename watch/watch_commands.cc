#include "watch/watch_commands.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include "casestate/case_state.h"
#include "pipeline/exit_codes.h"
#include "casework/run_support.h"
#include "casework/terminal_progress.h"
#include "config/profile.h"
#include "pipeline/log.h"
#include "watch/durable_fs.h"
#include "watch/office_records.h"
#include "watch/stop_signal.h"
#include "watch/watcher.h"

namespace intake::watch {
namespace {

namespace fs = std::filesystem;

using casework::Millis;

nlohmann::json EntryJson(const JournalEntry& e, bool names) {
  nlohmann::json j = {{"id", e.id},
                      {"state", StateName(e.state)},
                      {"kind", EntryKindName(e.kind)},
                      {"via_marker", e.via_marker},
                      {"sha256", e.sha256},
                      {"case_id", e.case_id},
                      {"received_at", e.received_at},
                      {"duplicate_of", e.duplicate_of},
                      {"reason_code", e.reason_code},
                      {"reason", e.reason},
                      {"attempts", e.attempts},
                      {"created_at", e.created_at},
                      {"updated_at", e.updated_at}};
  if (names) j["name"] = e.inbox_name;
  if (!e.lease_owner.empty()) {
    j["lease"] = {{"holder", e.lease_owner},
                  {"since", e.leased_since},
                  {"until", e.lease_until},
                  {"expired", e.lease_expired},
                  {"epoch", e.lease_epoch}};
  }
  return j;
}

WatchOptions WatchOptionsFrom(const WatchArgs& args) {
  WatchOptions options;
  // Absolute: the journal keeps work paths, and the next run may start in another folder.
  options.inbox = fs::absolute(args.inbox).lexically_normal();
  options.out_dir = fs::absolute(args.out_dir).lexically_normal();
  options.settle = Millis(args.settle_seconds);
  options.rescan = Millis(args.rescan_seconds);
  options.incomplete_grace = Millis(args.incomplete_grace_seconds);
  options.max_attempts = args.max_attempts;
  options.once = args.once;
  options.restart_command = args.command_line;
  options.journal_url = args.journal;
  options.lease = Millis(args.lease_seconds);
  return options;
}

// " holder=W since=T lease=held|expired" for a row someone holds (shared journals).
std::string LeaseText(const JournalEntry& e) {
  if (e.lease_owner.empty()) return {};
  std::string since = e.leased_since;
  for (char& ch : since) ch = ch == ' ' ? 'T' : ch;
  return " holder=" + e.lease_owner + " since=" + since +
         " lease=" + (e.lease_expired ? "expired" : "held");
}

// `intake status --workers`: the watchers of a shared journal, what they hold, whether alive.
int PrintWorkers(Journal& journal, bool json) {
  auto workers = journal.Workers();
  if (!workers.ok()) {
    std::cerr << "intake: " << workers.message() << "\n";
    return kExitOutput;
  }
  auto rows = journal.List({State::kClaiming, State::kClaimed, State::kProcessing,
                            State::kArchiving, State::kQuarantining, State::kRetrying});
  if (!rows.ok()) {
    std::cerr << "intake: " << rows.message() << "\n";
    return kExitOutput;
  }
  int stuck = 0;
  for (const auto& e : *rows) stuck += e.lease_expired ? 1 : 0;
  if (json) {
    nlohmann::json out = {{"workers", nlohmann::json::array()}, {"stuck_leases", stuck}};
    for (const auto& w : *workers) {
      out["workers"].push_back({{"id", w.id},
                                {"host", w.host},
                                {"pid", w.pid},
                                {"started_at", w.started_at},
                                {"last_seen", w.last_seen},
                                {"alive", w.alive},
                                {"leases", w.leases}});
    }
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  if (!journal.shared()) std::cout << "one watcher (SQLite journal): no leases\n";
  for (const auto& w : *workers) {
    std::cout << "worker " << w.id << " host=" << w.host << " pid=" << w.pid
              << " started=" << w.started_at << " last_seen=" << w.last_seen << " "
              << (w.alive ? "alive" : "DEAD") << " leases=" << w.leases << "\n";
  }
  for (const auto& e : *rows) {
    if (e.lease_expired) {
      std::cout << "stuck " << e.id << " " << StateName(e.state) << LeaseText(e) << "\n";
    }
  }
  std::cout << "stuck_leases=" << stuck << "\n";
  return kExitOk;
}

// The numbers of the command line; false (printed): kExitUsage.
bool NumbersValid(const WatchArgs& args) {
  if (args.settle_seconds < 0 || args.rescan_seconds <= 0 || args.incomplete_grace_seconds < 0 ||
      args.max_attempts < 1 || args.page_time_limit_seconds < 0 ||
      args.case_time_limit_seconds < 0 || args.lease_seconds < 1) {
    std::cerr << "intake: --settle, --incomplete-grace, --page-time-limit, --case-time-limit >= 0, "
                 "--rescan > 0, --max-attempts >= 1, --lease >= 1\n";
    return false;
  }
  return true;
}

// The inbox and output folders, and the PACS to forward to; false (printed): kExitUsage.
bool FoldersAndPacsValid(const WatchArgs& args) {
  Status folders = CheckWatchFolders(args.inbox, args.out_dir);
  if (!folders.ok()) {
    std::cerr << "intake: " << folders.message() << "\n";
    return false;
  }
  if (args.pacs.empty()) return true;
  if (auto pacs = forward::ParseDestination(args.pacs); !pacs.ok()) {
    std::cerr << "intake: " << pacs.message() << "\n";
    return false;
  }
  if (!forward::IsAeTitle(args.calling_aet)) {
    std::cerr << "intake: --calling-aet must be 1-16 ASCII characters\n";
    return false;
  }
  return true;
}

casework::ProcessOptions ProcessOptionsFor(const WatchArgs& args, const std::string& version) {
  casework::ProcessOptions options;
  options.program_version = "intake " + version;
  options.link_original = true;  // the claimed copy is the watcher's, archived unchanged
  options.case_time_limit = Millis(args.case_time_limit_seconds);
  return options;
}

// Forwarding of complete cases to --pacs (checked by FoldersAndPacsValid).
forward::ForwardOptions ForwardOptionsFor(const WatchArgs& args,
                                          const std::string& program_version) {
  forward::ForwardOptions options;
  options.destination = *forward::ParseDestination(args.pacs);
  options.calling_aet = args.calling_aet;
  // The inbox must not wait long on a PACS that is down: one retry; `intake forward` (or the
  // badge PACS転送未完了 in index.html) takes it from there.
  options.retries = 1;
  options.program_version = program_version;
  return options;
}

// Opens the watcher over the locked output folder and runs it until it is stopped.
int RunWatcher(const WatchArgs& args, const std::string& version, OutputLock lock,
               const config::Profile& profile, ocr::OcrPool& pool) {
  WatchOptions options = WatchOptionsFrom(args);
  casework::ProcessOptions process_options = ProcessOptionsFor(args, version);
  OfficeRecords records(options.out_dir);
  if (!args.pacs.empty()) {
    records.ForwardCompleteCases(ForwardOptionsFor(args, process_options.program_version));
  }
  auto watcher = Watcher::Open(std::move(options), std::move(lock), profile, pool,
                               std::move(process_options), &records);
  if (!watcher.ok()) {
    std::cerr << "intake: " << watcher.message() << "\n";
    return kExitOutput;
  }
  casework::InstallTerminalProgress(args.progress);
  Status s = (*watcher)->Run();
  if (!s.ok()) {
    Log()->error("event=watch_failed error=\"{}\"", s.message());
    std::cerr << "intake: the watcher stopped: " << s.message()
              << " (the journal keeps every submission; restart when fixed)\n";
    return kExitOutput;
  }
  return kExitOk;
}

}  // namespace

int RunWatch(const WatchArgs& args, const std::string& version) {
  if (!NumbersValid(args)) return kExitUsage;
  const auto profile = casework::LoadProfileArg(args.profile);
  if (!profile) return kExitUsage;
  if (!FoldersAndPacsValid(args)) return kExitUsage;
  if (!casework::MakeOutputFolder(args.out_dir)) return kExitOutput;
  if (!args.journal.empty() && !IsJournalUrl(args.journal)) {
    std::cerr << "intake: --journal must be a PostgreSQL URI (postgresql://user@host:port/db)\n";
    return kExitUsage;
  }
  // Watchers sharing a journal share the folder; the SQLite journal's watcher has it alone.
  auto lock = OutputLock::Acquire(args.out_dir, /*shared=*/!args.journal.empty());
  if (!lock.ok()) {
    std::cerr << "intake: " << lock.message() << "\n";
    return lock.code() == ErrorCode::kBusy ? kExitBusy : kExitOutput;
  }
  InstallStopSignals();
  const auto pool = casework::StartOcr(args.workers, args.page_time_limit_seconds);
  if (!pool) return kExitEnvironment;  // once, for every case of this process
  return RunWatcher(args, version, std::move(*lock), *profile, *pool);
}

int RunRetry(const RetryArgs& args) {
  if (args.all == !args.ids.empty()) {
    std::cerr << "intake: name the submission ids to retry, or --all\n";
    return kExitUsage;
  }
  auto requeued = RequeueQuarantined(
      args.out_dir, args.all ? std::vector<std::int64_t>{} : args.ids, args.journal);
  if (!requeued.ok()) {
    std::cerr << "intake: " << requeued.message() << "\n";
    return kExitCaseFailed;
  }
  for (std::int64_t id : *requeued) std::cout << "requeued " << id << "\n";
  if (requeued->empty()) std::cout << "nothing in the quarantine\n";
  return kExitOk;
}

int RunStatus(const StatusArgs& args) {
  std::error_code ec;
  if (args.journal.empty() && !fs::exists(JournalPath(args.out_dir), ec)) {
    std::cerr << "intake: no journal in " << args.out_dir << " (has `intake watch` run there?)\n";
    return kExitUsage;
  }
  auto journal = OpenJournal({args.out_dir, args.journal});
  if (!journal.ok()) {
    std::cerr << "intake: " << journal.message() << "\n";
    return kExitOutput;
  }
  if (args.workers) return PrintWorkers(**journal, args.json);
  std::vector<JournalEntry> rows;
  if (args.id != 0) {
    auto row = (*journal)->Get(args.id);
    if (!row.ok()) {
      std::cerr << "intake: " << row.message() << "\n";
      return kExitCaseFailed;
    }
    rows.push_back(std::move(*row));
  } else {
    auto all = (*journal)->List();
    if (!all.ok()) {
      std::cerr << "intake: " << all.message() << "\n";
      return kExitOutput;
    }
    rows = std::move(*all);
  }
  if (args.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : rows) {
      nlohmann::json j = EntryJson(e, args.names);
      if (args.id != 0) {
        auto history = (*journal)->History(e.id);
        nlohmann::json h = nlohmann::json::array();
        if (history.ok())
          for (const auto& t : *history)
            h.push_back(
                {{"at", t.at}, {"from", t.from_state}, {"to", t.to_state}, {"detail", t.detail}});
        j["history"] = h;
      }
      out.push_back(j);
    }
    // Names from a Windows share may not be UTF-8: replace what JSON cannot carry.
    std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return kExitOk;
  }
  for (const auto& e : rows) {
    std::cout << e.id << " " << StateName(e.state) << " " << EntryKindName(e.kind);
    if (!e.case_id.empty()) std::cout << " case=" << e.case_id;
    if (e.state == State::kDone) std::cout << casestate::StateSuffix(args.out_dir, e.case_id);
    if (!e.duplicate_of.empty()) std::cout << " DUPLICATE_SUBMISSION of=" << e.duplicate_of;
    if (!e.reason_code.empty()) std::cout << " reason=" << e.reason_code;
    std::cout << " attempts=" << e.attempts << " updated=" << e.updated_at << LeaseText(e);
    if (args.names) std::cout << " name=" << e.inbox_name;
    std::cout << "\n";
    if (args.id != 0) {
      auto history = (*journal)->History(e.id);
      if (history.ok())
        for (const auto& t : *history)
          std::cout << "  " << t.at << " " << (t.from_state.empty() ? "-" : t.from_state) << " -> "
                    << t.to_state << (t.detail.empty() ? "" : " (" + t.detail + ")") << "\n";
    }
  }
  return kExitOk;
}

}  // namespace intake::watch
