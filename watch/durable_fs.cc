#include "watch/durable_fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

namespace intake::watch {
namespace {

namespace fs = std::filesystem;

Status ErrnoFail(std::string_view step, int err) {
  return Status::Fail(std::string(step) + ": " + std::strerror(err));
}

bool Exists(const fs::path& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0;
}

fs::path CopyingPath(const fs::path& to) {
  fs::path p = to;
  p += ".copying";
  return p;
}

Status CopyAcross(const fs::path& from, const fs::path& to) {
  const fs::path tmp = CopyingPath(to);
  std::error_code ec;
  fs::remove_all(tmp, ec);  // a copy interrupted earlier
  fs::copy(from, tmp, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
  if (ec) return Status::Fail("copy to another file system failed: " + ec.message());
  Status s = SyncTree(tmp);
  if (!s.ok()) return s;
  if (::rename(tmp.c_str(), to.c_str()) != 0) return ErrnoFail("rename after copy", errno);
  s = FsyncPath(to.parent_path());
  if (!s.ok()) return s;
  fs::remove_all(from, ec);
  if (ec) return Status::Fail("cannot remove the original after copying: " + ec.message());
  return FsyncPath(from.parent_path());
}

}  // namespace

Status FsyncPath(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ELOOP) return Status::Ok();  // a symbolic link: nothing of ours to sync
    return ErrnoFail("open for fsync", errno);
  }
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  // Some file systems (and folders on some network shares) refuse fsync on folders.
  if (rc != 0 && err != EINVAL && err != EROFS) return ErrnoFail("fsync", err);
  return Status::Ok();
}

Status SyncTree(const fs::path& root) {
  std::error_code ec;
  std::vector<fs::path> folders;
  if (fs::is_directory(fs::symlink_status(root, ec))) {
    folders.push_back(root);
    for (fs::recursive_directory_iterator it(root, ec), end; it != end; it.increment(ec)) {
      if (ec) return Status::Fail("cannot list a folder to sync: " + ec.message());
      const auto type = it->symlink_status(ec).type();
      if (type == fs::file_type::directory) {
        folders.push_back(it->path());
      } else if (type == fs::file_type::regular) {
        Status s = FsyncPath(it->path());
        if (!s.ok()) return s;
      }
    }
  } else {
    Status s = FsyncPath(root);
    if (!s.ok()) return s;
  }
  for (auto it = folders.rbegin(); it != folders.rend(); ++it) {
    Status s = FsyncPath(*it);
    if (!s.ok()) return s;
  }
  return FsyncPath(root.parent_path());
}

Status WriteFileDurably(const fs::path& path, const std::string& bytes) {
  fs::path tmp = path;
  tmp += ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoFail("create", errno);
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return ErrnoFail("write", err);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    return ErrnoFail("fsync", err);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return ErrnoFail("rename", errno);
  return FsyncPath(path.parent_path());
}

Status MoveDurably(const fs::path& from, const fs::path& to) {
  const bool from_exists = Exists(from);
  const bool to_exists = Exists(to);
  std::error_code ec;
  if (to_exists) {
    fs::remove_all(CopyingPath(to), ec);
    if (!from_exists) return Status::Ok();  // done before
    // Both: only a cross-device copy leaves both, and `to` is renamed into place only when
    // complete. A same-device rename never leaves both.
    if (SameFileSystem(from, to)) {
      return Status::Fail("move target already exists and the source is still there");
    }
    fs::remove_all(from, ec);
    if (ec) return Status::Fail("cannot remove the original after copying: " + ec.message());
    return FsyncPath(from.parent_path());
  }
  if (!from_exists) return Status::Fail("nothing to move: neither source nor target exists");
  fs::create_directories(to.parent_path(), ec);
  if (ec) return Status::Fail("cannot create a folder: " + ec.message());
  if (::rename(from.c_str(), to.c_str()) == 0) {
    Status s = FsyncPath(to.parent_path());
    if (!s.ok()) return s;
    return FsyncPath(from.parent_path());
  }
  if (errno != EXDEV) return ErrnoFail("rename", errno);
  return CopyAcross(from, to);
}

bool SameFileSystem(const fs::path& a, const fs::path& b) {
  auto device = [](fs::path p) -> std::optional<dev_t> {
    // The path itself, or its nearest existing ancestor (a target may not exist yet).
    for (; !p.empty(); p = p.parent_path()) {
      struct stat st {};
      if (::stat(p.c_str(), &st) == 0) return st.st_dev;
      if (p == p.parent_path()) break;
    }
    return std::nullopt;
  };
  const auto da = device(fs::absolute(a));
  const auto db = device(fs::absolute(b));
  return da && db && *da == *db;
}

}  // namespace intake::watch
