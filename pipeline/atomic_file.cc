#include "pipeline/atomic_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

namespace intake {
namespace {

namespace fs = std::filesystem;

std::string ErrnoText() { return std::strerror(errno); }

// Writes all of `bytes`, retrying short writes and EINTR.
bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// The failure of a copy whose write failed with `err`.
Status CopyWriteError(int err) {
  return Status(Error{"write error while copying: " + WriteErrorText(err),
                      IsNoSpace(err) ? ErrorCode::kDiskFull : ErrorCode::kFailed});
}

// Copies what the kernel will with copy_file_range, leaving both files' offsets where it stopped
// (at the end, or where another file system, a file of unknown size or a read error made it stop:
// read and write go on from there and say what is wrong). Returns the errno of a write that found
// no space, else 0.
int CopyInKernel(int in, int out) {
  for (;;) {
    const ssize_t n = ::copy_file_range(in, nullptr, out, nullptr, std::size_t{1} << 30, 0);
    if (n > 0 || (n < 0 && errno == EINTR)) continue;
    return n < 0 && IsNoSpace(errno) ? errno : 0;
  }
}

}  // namespace

Status SyncDirectory(const fs::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::Fail("cannot open the folder to sync it: " + ErrnoText());
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  if (rc != 0) return Status::Fail("cannot sync the folder: " + std::string(std::strerror(saved)));
  return Status::Ok();
}

bool IsNoSpace(int err) { return err == ENOSPC || err == EDQUOT || err == EFBIG; }

std::string WriteErrorText(int err) {
  return IsNoSpace(err) ? "no space left on device" : std::strerror(err);
}

Status WriteFileInPlace(const fs::path& path, std::string_view bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int saved = errno;
    return Status(Error{"cannot create a file in the output folder: " + WriteErrorText(saved),
                        IsNoSpace(saved) ? ErrorCode::kDiskFull : ErrorCode::kFailed});
  }
  const bool written = WriteAll(fd, bytes);
  const int saved = errno;
  const bool closed = ::close(fd) == 0;
  if (written && closed) return Status::Ok();
  const int err = written ? errno : saved;
  ::unlink(path.c_str());
  return Status(Error{"write error in the output folder: " + WriteErrorText(err),
                      IsNoSpace(err) ? ErrorCode::kDiskFull : ErrorCode::kFailed});
}

Status CopyFileContents(const fs::path& from, const fs::path& to) {
  const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return Status::Fail("cannot open a file to copy: " + ErrnoText());
  const int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) {
    const int saved = errno;
    ::close(in);
    return Status(Error{"cannot create the copy: " + WriteErrorText(saved),
                        IsNoSpace(saved) ? ErrorCode::kDiskFull : ErrorCode::kFailed});
  }
  Status status;
  if (const int err = CopyInKernel(in, out); err != 0) status = CopyWriteError(err);
  constexpr std::size_t kChunk = 1 << 20;
  const auto buffer = std::make_unique_for_overwrite<char[]>(kChunk);  // not zeroed: read over
  while (status.ok()) {
    const ssize_t n = ::read(in, buffer.get(), kChunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = Status::Fail("read error while copying: " + ErrnoText());
      break;
    }
    if (n == 0) break;
    if (!WriteAll(out, std::string_view(buffer.get(), static_cast<std::size_t>(n)))) {
      status = CopyWriteError(errno);
      break;
    }
  }
  ::close(in);
  if (::close(out) != 0 && status.ok()) status = CopyWriteError(errno);
  if (!status.ok()) ::unlink(to.c_str());
  return status;
}

Status WriteFileAtomically(const fs::path& path, std::string_view bytes) {
  static std::atomic<unsigned> counter{0};
  fs::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Fail("cannot create a file in the output folder: " + ErrnoText());
  const bool written = WriteAll(fd, bytes) && ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!written) {
    ::unlink(tmp.c_str());
    return Status(Error{"write error in the output folder: " + WriteErrorText(saved),
                        IsNoSpace(saved) ? ErrorCode::kDiskFull : ErrorCode::kFailed});
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int rename_errno = errno;
    ::unlink(tmp.c_str());
    return Status::Fail("cannot rename a file in the output folder: " +
                        std::string(std::strerror(rename_errno)));
  }
  return SyncDirectory(path.parent_path());
}

Result<FileLock> FileLock::Acquire(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Result<FileLock>::Fail("cannot open a lock file: " + ErrnoText());
  return Adopt(fd);
}

Result<FileLock> FileLock::Adopt(int fd) {
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    const std::string message = "cannot lock a file: " + ErrnoText();
    ::close(fd);
    return Result<FileLock>::Fail(message);
  }
  return FileLock(fd);
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

}  // namespace intake
