#include "pipeline/folder_walk.h"

#include <algorithm>
#include <system_error>

namespace intake {

namespace fs = std::filesystem;

Result<FolderListing> ListFolder(const fs::path& root) {
  FolderListing listing;
  std::vector<fs::path> pending{root};
  while (!pending.empty()) {
    const fs::path dir = std::move(pending.back());
    pending.pop_back();
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec) {
      if (dir == root) return Result<FolderListing>::Fail("submission folder could not be listed");
      listing.unreadable_dirs.push_back(dir);
      continue;
    }
    for (const fs::directory_iterator end; it != end; it.increment(ec)) {
      const fs::file_status st = it->symlink_status(ec);
      if (ec) {
        listing.special.push_back(it->path());
        continue;
      }
      if (fs::is_symlink(st)) {
        ++listing.symlinks;
      } else if (fs::is_directory(st)) {
        pending.push_back(it->path());
      } else if (fs::is_regular_file(st)) {
        listing.files.push_back(it->path());
      } else {
        listing.special.push_back(it->path());
      }
    }
    if (ec) listing.unreadable_dirs.push_back(dir);  // the listing broke off
  }
  std::sort(listing.files.begin(), listing.files.end());
  std::sort(listing.unreadable_dirs.begin(), listing.unreadable_dirs.end());
  std::sort(listing.special.begin(), listing.special.end());
  return listing;
}

std::string PathBelow(const std::filesystem::path& path, const std::filesystem::path& root) {
  const std::filesystem::path below = path.lexically_relative(root);
  if (below.empty() || *below.begin() == "..") {
    std::error_code ec;
    return std::filesystem::relative(path, root, ec).generic_string();
  }
  return below.generic_string();
}

}  // namespace intake
