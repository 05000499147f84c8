// OpenJournal: the one place that chooses the journal's implementation (watch/journal.h).
#include "watch/journal.h"
#include "watch/pg_journal.h"

namespace intake::watch {

bool IsJournalUrl(std::string_view url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

Result<std::unique_ptr<Journal>> OpenJournal(const JournalLocation& where, bool as_worker,
                                             std::chrono::milliseconds lease) {
  if (!where.shared()) return SqliteJournal::Open(JournalPath(where.out_dir));
  if (!IsJournalUrl(where.url)) {
    return Result<std::unique_ptr<Journal>>::Fail(
        "--journal must be a PostgreSQL URI (postgresql://user@host:port/database)");
  }
  PgJournalOptions options;
  options.url = where.url;
  options.as_worker = as_worker;
  options.lease = lease;
  return OpenPgJournal(options);
}

}  // namespace intake::watch
