// Durable file-system steps: what is on disk when these return stays there after a power cut.
//
// A rename is atomic but only durable once the folders it changed are fsynced; a file's bytes
// only once the file is. The watcher publishes case folders, archives and quarantines with these
// so that its journal never says more than the disk holds. Every function is idempotent where the
// comment says so: recovery after a crash calls it again on a half-done step.
//
// Error messages name the step and errno text, never the path (paths hold patient names).
#pragma once

#include <filesystem>
#include <string>

#include "pipeline/result.h"

namespace intake::watch {

// fsync of one file or folder.
Status FsyncPath(const std::filesystem::path& path);

// fsync of every file and folder in a tree, children before parents, then of the tree's parent.
Status SyncTree(const std::filesystem::path& root);

// Writes `bytes` to `path` via a temp file beside it: write, fsync, rename, fsync the folder.
Status WriteFileDurably(const std::filesystem::path& path, const std::string& bytes);

// Moves a file or folder from `from` to `to` (creating to's parent) and makes the move durable.
// Same file system: rename(2). Another file system (EXDEV): copy to "<to>.copying", fsync it,
// rename it to `to`, then remove `from`. Idempotent: when `from` is gone and `to` exists the move
// is complete; when both exist after a cross-device copy (killed before the removal), `to` is
// complete (it is only renamed into place whole) and `from` is removed; a leftover .copying is
// discarded and the copy redone. Fails when neither exists.
Status MoveDurably(const std::filesystem::path& from, const std::filesystem::path& to);

// True when both paths (or, where one does not exist yet, its nearest existing ancestor) are on
// the same file system, so that a rename between them is atomic.
bool SameFileSystem(const std::filesystem::path& a, const std::filesystem::path& b);

}  // namespace intake::watch
