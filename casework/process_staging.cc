#include "casework/process_staging.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace intake::casework {
namespace {

namespace fs = std::filesystem;

// OUT/.intake/process/: one folder per run (<pid>) beside its lock file (<pid>.lock).
fs::path ProcessRoot(const fs::path& out) { return out / ".intake" / "process"; }

// Removes each run's folder whose lock file nobody holds (its run was killed).
void RemoveLeftovers(const fs::path& root) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    if (entry.path().extension() != ".lock") continue;
    const int fd = ::open(entry.path().c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      std::error_code remove_ec;
      fs::remove_all(root / entry.path().stem(), remove_ec);
      fs::remove(entry.path(), remove_ec);
    }
    ::close(fd);
  }
}

}  // namespace

Result<std::unique_ptr<ProcessStaging>> ProcessStaging::Open(const fs::path& out) {
  using R = Result<std::unique_ptr<ProcessStaging>>;
  const fs::path root = ProcessRoot(out);
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return R::Fail("cannot create the case folder in the output folder (staging)");
  // One run at a time tidies up and sets up, so that none removes another's folder half made.
  auto setup = FileLock::Acquire(root / ".lock");
  if (!setup.ok()) return Error{setup.message()};
  RemoveLeftovers(root);
  const std::string name = std::to_string(::getpid());
  auto lock = FileLock::Acquire(root / (name + ".lock"));
  if (!lock.ok()) return Error{lock.message()};
  const fs::path dir = root / name;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  if (ec) return R::Fail("cannot create the case folder in the output folder (staging)");
  return std::unique_ptr<ProcessStaging>(new ProcessStaging(out, dir, std::move(*lock)));
}

ProcessStaging::~ProcessStaging() {
  std::error_code ec;
  fs::remove_all(dir_, ec);
  fs::remove(fs::path(dir_).replace_extension(".lock"), ec);
}

Status ProcessStaging::Publish(const std::string& case_id) const {
  std::error_code ec;
  fs::create_directories(out_ / ".intake" / "locks", ec);
  auto case_lock = FileLock::Acquire(out_ / ".intake" / "locks" / (case_id + ".lock"));
  if (!case_lock.ok()) return Status::Fail("cannot lock the case: " + case_lock.message());
  const fs::path staged = dir_ / case_id;
  const fs::path target = out_ / case_id;
  const fs::path old = dir_ / (case_id + ".old");
  fs::remove_all(old, ec);
  if (::rename(target.c_str(), old.c_str()) != 0 && errno != ENOENT) {
    return Status::Fail(std::string("cannot replace the earlier case folder: ") +
                        std::strerror(errno));
  }
  if (::rename(staged.c_str(), target.c_str()) != 0) {
    return Status::Fail(std::string("cannot publish the case folder: ") + std::strerror(errno));
  }
  Status synced = SyncDirectory(out_);
  fs::remove_all(old, ec);
  return synced;
}

void ProcessStaging::Discard(const std::string& case_id) const {
  std::error_code ec;
  fs::remove_all(dir_ / case_id, ec);
}

}  // namespace intake::casework
