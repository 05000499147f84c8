// SHA-256 of files and strings (OpenSSL), as lower-case hex.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/result.h"

namespace intake {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(std::string_view bytes);
  std::string HexDigest();  // finishes the hash; call once

 private:
  void* ctx_;  // EVP_MD_CTX, kept out of the header
};

std::string Sha256Hex(std::string_view bytes);
// Streams the file; fails with a message naming only its size on read errors.
Result<std::string> Sha256File(const std::filesystem::path& path);
// Copies `from` to `to` (CopyFileContents) and hashes the copy from its pages just written (read
// back from the page cache in pieces that stay in the core's cache): the hash is that of the
// bytes kept. Fails as the copy does (the copy removed).
Result<std::string> Sha256AndCopyFile(const std::filesystem::path& from,
                                      const std::filesystem::path& to);
// Hashes many files on `threads` threads (0: one per core); result i belongs to path i. A disc of
// 2,000 CT slices is about 1 GB: one core alone spends most of a second on it.
std::vector<Result<std::string>> Sha256Files(const std::vector<std::filesystem::path>& paths,
                                             int threads = 0);
// The same, copying path i to copies[i] on the way (Sha256AndCopyFile); result i fails when that
// copy could not be made.
std::vector<Result<std::string>> Sha256AndCopyFiles(
    const std::vector<std::filesystem::path>& paths,
    const std::vector<std::filesystem::path>& copies, int threads = 0);

}  // namespace intake
