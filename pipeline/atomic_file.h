// Files that readers never see half-written, and advisory locks between processes.
//
// WriteFileAtomically: a temp file beside the target (unique per process and thread), written,
// fsync'ed, renamed over the target, and the folder fsync'ed, so after a crash the target holds
// either the old or the new bytes. FileLock: an exclusive flock(2) held for the object's lifetime,
// for work that two processes (the watcher and a manual `intake process`) must not interleave.
// Messages name the kind of file, not its path (paths under the output folder are not patient
// data, but callers decide what to show).
#pragma once

#include <filesystem>
#include <string_view>

#include "pipeline/result.h"

namespace intake {

// A write that fails for lack of space (ENOSPC, EDQUOT, or EFBIG: the file size limit) fails
// with ErrorCode::kDiskFull and says "no space left on device".
Status WriteFileAtomically(const std::filesystem::path& path, std::string_view bytes);

// Writes `bytes` to `path` in place, without fsync: for files made again when lost (a page image
// kept for the searchable PDF). Lack of space as for WriteFileAtomically.
Status WriteFileInPlace(const std::filesystem::path& path, std::string_view bytes);

// Copies the contents of `from` to `to` (created or truncated; mode 0644). Unlike
// std::filesystem::copy_file, whose short copy on a full disk reads "Input/output error", a lack
// of space fails with ErrorCode::kDiskFull and says so. Messages carry no path. A failed copy is
// removed. The kernel copies (copy_file_range: the bytes do not pass through this process, and
// file systems with shared extents share them) where it can; read and write do the rest.
Status CopyFileContents(const std::filesystem::path& from, const std::filesystem::path& to);

// Whether a failed write's errno says the disk is full: ENOSPC, EDQUOT, or EFBIG (the file size
// limit, as a full disk looks to a process under one).
bool IsNoSpace(int err);

// What a failed write's errno says, "no space left on device" for every IsNoSpace errno
// (EFBIG's own text, "File too large", would not tell staff that space is missing).
std::string WriteErrorText(int err);

// fsync of a folder, so that a rename or a new file in it survives a crash.
Status SyncDirectory(const std::filesystem::path& dir);

class FileLock {
 public:
  // Opens (creating it when needed) `path` and blocks until the exclusive lock is held.
  static Result<FileLock> Acquire(const std::filesystem::path& path);
  // Takes ownership of the open descriptor `fd` and blocks until it is locked (closes it on
  // failure).
  static Result<FileLock> Adopt(int fd);
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

  int fd() const { return fd_; }  // the locked file, open read-write

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace intake
