// Inbox scanning: what is in the inbox now, which names are ignored, and whether a dropped file
// looks complete for its format.
//
// A submission is a top-level file or folder of the inbox. Ignored, and never touched:
// - names starting with "." (hidden files, .DS_Store, rsync's ".name.XXXXXX" temporaries, and
//   the watcher's own ".intake-claimed"), or with "~$" (Office lock files);
// - names ending in .part, .partial, .crdownload, .download, .filepart or .tmp (copies and
//   downloads in progress), Thumbs.db and desktop.ini;
// - NAME.ready files: markers saying NAME is complete (see watch/settle.h);
// - symbolic links, sockets, devices and pipes (a link would let processing read outside the
//   inbox).
// A folder that contains a file with an in-progress name (*.part, ~$*, ...) anywhere inside is
// not ready until that file is gone.
//
// ScanInbox and ProbeCompleteness read the file system; everything else here is pure.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "watch/journal.h"

namespace intake::watch {

inline constexpr std::string_view kReadySuffix = ".ready";

// True for names the watcher never treats as a submission (see above).
bool IsIgnoredName(std::string_view name);
// True for names that mean "still being written" (*.part, ~$*, ...): inside a folder they keep
// the folder from being ready.
bool IsInProgressName(std::string_view name);
// "X.ready" -> "X"; empty when `name` is not a marker.
std::string MarkerTarget(std::string_view name);

// What one look at a top-level inbox entry saw. Two looks with equal signatures mean nothing
// changed in between: for a folder every file and subfolder inside is part of the signature.
struct InboxEntry {
  std::string name;  // file or folder name (confidential, never logged)
  EntryKind kind = EntryKind::kFile;
  std::uint64_t size = 0;           // bytes (folders: sum over the files inside)
  std::int64_t mtime_ns = 0;        // newest modification time (folders: over the whole tree)
  std::uint64_t inode = 0;          // of the entry itself
  std::uint64_t tree_digest = 0;    // folders: digest of every (path, size, mtime, inode) inside
  std::uint64_t file_count = 0;     // folders: files inside
  bool in_progress_inside = false;  // folders: a file with an in-progress name is inside
  bool unreadable = false;          // the folder could not be listed completely
  bool has_marker = false;          // NAME.ready exists beside it

  bool SameSignature(const InboxEntry& other) const;
};

// Lists the inbox's top level (ignored names left out) and computes each entry's signature.
// Entries that vanish while being looked at are left out. Fails only when the inbox itself cannot
// be listed.
Result<std::vector<InboxEntry>> ScanInbox(const std::filesystem::path& inbox);

// Whether a file's bytes end the way its format says they must (the format's end marker or
// directory is there): a PDF's %%EOF, a zip's end of central directory, a 7z's next header, a
// PNG's IEND, a JPEG's EOI, a TIFF's IFD chain and strips, an ISO 9660 volume's size, a tar's
// end blocks, an xz footer. Formats without such a marker (DICOM, gzip, text...) are kUnknown:
// for them only the settle time counts.
enum class Completeness { kComplete, kIncomplete, kUnknown };
std::string_view CompletenessName(Completeness c);
Completeness ProbeFile(const std::filesystem::path& path);
// Files: ProbeFile. Folders: kIncomplete when any file inside is, else kComplete.
Completeness ProbeEntry(const std::filesystem::path& path, EntryKind kind);

}  // namespace intake::watch
