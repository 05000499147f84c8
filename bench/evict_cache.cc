// intake-bench-evict: drops the page cache of every file under the given paths (cold-cache runs).
//
// Uses posix_fadvise(POSIX_FADV_DONTNEED) per file, so it needs no root and leaves the rest of
// a shared machine's cache alone. Files must be clean (the script runs `sync` first).
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <system_error>

namespace {

bool Evict(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  long evicted = 0;
  long failed = 0;
  for (int i = 1; i < argc; ++i) {
    std::error_code ec;
    const std::filesystem::path root = argv[i];
    if (std::filesystem::is_regular_file(root, ec)) {
      (Evict(root) ? evicted : failed)++;
      continue;
    }
    for (std::filesystem::recursive_directory_iterator it(root, ec), end; !ec && it != end;
         it.increment(ec)) {
      if (it->is_regular_file(ec)) (Evict(it->path()) ? evicted : failed)++;
    }
  }
  if (failed > 0) std::fprintf(stderr, "intake-bench-evict: %ld files not evicted\n", failed);
  return failed > 0 ? 1 : 0;
}
