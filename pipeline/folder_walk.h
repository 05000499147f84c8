// Listing a submission folder without losing anything silently: besides its regular files, what
// could not be read (a sub-folder without permission) and what is not a file (a FIFO, a socket,
// a device, a symbolic link), so that each becomes a finding instead of vanishing.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/result.h"

namespace intake {

struct FolderListing {
  std::vector<std::filesystem::path> files;            // regular files, sorted
  std::vector<std::filesystem::path> unreadable_dirs;  // sub-folders that could not be listed
  std::vector<std::filesystem::path> special;          // FIFOs, sockets, devices
  int symlinks = 0;                                    // not followed
};

// Walks `root` (links not followed). Fails only when `root` itself cannot be listed.
Result<FolderListing> ListFolder(const std::filesystem::path& root);

// A path ListFolder(root) gave, relative to `root` ("IMAGES/IM000001"): worked out from the
// names alone, where fs::relative would resolve links in both paths component by component
// (a readlink and a stat each, tens of thousands on a disc); fs::relative when `path` is not
// below `root` by its names.
std::string PathBelow(const std::filesystem::path& path, const std::filesystem::path& root);

}  // namespace intake
