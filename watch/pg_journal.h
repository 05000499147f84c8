// PgJournal: the journal (watch/journal.h) in PostgreSQL, shared by several watchers on one or
// several machines that work on one inbox and one output folder (`--journal postgresql://...`).
//
// One database per office. The schema is created and upgraded by the program (table
// intake_schema holds its version; an upgrade runs in one transaction under an advisory lock, so
// watchers starting together do not race). Tables: submissions (the states of watch/journal.h
// plus the lease columns), transitions (each row's history) and workers (who is watching, their
// heartbeat).
//
// Leases: LeaseNext takes the oldest unfinished row nobody holds with `SELECT ... FOR UPDATE
// SKIP LOCKED` and stamps it with this watcher's id, lease_until = now() + lease (the database's
// clock, so machines' clocks need not agree) and lease_epoch + 1. A heartbeat thread (its own
// connection) extends the leases this watcher holds and its workers row every lease/3; a watcher
// that dies stops renewing, its leases run out and LeaseNext hands the rows to another watcher.
// Transition and Fenced check the owner and the epoch of a row this watcher leased, so a watcher
// that comes back after its lease ran out fails with Journal::kLeaseLost instead of publishing
// over the newer attempt. No transaction is held while a case is processed: each call is one
// short transaction (Fenced holds its row lock only for the step it guards: a rename or a move).
//
// Work made available (a row becomes `claimed` or `retrying`) is announced with NOTIFY
// intake_work, which watchers LISTEN for (Journal::WakeFd); they poll as well, since a
// notification is not durable.
//
// A connection lost between calls is re-established once per call; the database's errors are
// passed on (never a submission's name: the queries carry names only as parameters).
// Not thread-safe: one PgJournal per thread (the heartbeat has its own connection).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "watch/journal.h"

namespace intake::watch {

class PgJournal;

struct PgJournalOptions {
  std::string url;         // postgresql://user@host:port/db
  bool as_worker = false;  // register in `workers`, take leases, run the heartbeat
  std::chrono::milliseconds lease{std::chrono::seconds(30)};
  // Renew leases on a heartbeat thread. Only tests turn it off, to play a watcher that is paused
  // (stopped, swapped out, cut off) while it holds a lease.
  bool heartbeat = true;
};

// Opens (and creates or upgrades the schema of) the journal at `options.url`.
Result<std::unique_ptr<Journal>> OpenPgJournal(const PgJournalOptions& options);

// The schema version this program writes.
inline constexpr int kPgSchemaVersion = 1;

}  // namespace intake::watch
