#include "pipeline/hash.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <vector>

#include "pipeline/atomic_file.h"
#include "pipeline/parallel_for.h"

namespace intake {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr);
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256::Update(std::string_view bytes) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), bytes.data(), bytes.size());
}

std::string Sha256::HexDigest() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), digest, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

std::string Sha256Hex(std::string_view bytes) {
  Sha256 h;
  h.Update(bytes);
  return h.HexDigest();
}

// Read in pieces small enough to stay in the core's cache while they are hashed (a mapping was
// dearer: its unmapping, on a process with threads on both cores).
Result<std::string> Sha256File(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Result<std::string>::Fail("file could not be opened for hashing");
  constexpr std::size_t kPiece = 256 * 1024;
  thread_local const auto buffer = std::make_unique_for_overwrite<char[]>(kPiece);
  Sha256 h;
  while (true) {
    const ssize_t n = ::read(fd, buffer.get(), kPiece);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return Result<std::string>::Fail("read error while hashing");
    }
    if (n == 0) break;
    h.Update(std::string_view(buffer.get(), static_cast<std::size_t>(n)));
  }
  ::close(fd);
  return h.HexDigest();
}

Result<std::string> Sha256AndCopyFile(const std::filesystem::path& from,
                                      const std::filesystem::path& to) {
  if (Status copied = CopyFileContents(from, to); !copied.ok()) return copied.error();
  return Sha256File(to);
}

std::vector<Result<std::string>> Sha256Files(const std::vector<std::filesystem::path>& paths,
                                             int threads) {
  std::vector<Result<std::string>> hashes(paths.size(), Result<std::string>::Fail("not hashed"));
  ParallelFor(
      paths.size(), [&](std::size_t i) { hashes[i] = Sha256File(paths[i]); }, threads);
  return hashes;
}

std::vector<Result<std::string>> Sha256AndCopyFiles(
    const std::vector<std::filesystem::path>& paths,
    const std::vector<std::filesystem::path>& copies, int threads) {
  std::vector<Result<std::string>> hashes(paths.size(), Result<std::string>::Fail("not hashed"));
  ParallelFor(
      paths.size(), [&](std::size_t i) { hashes[i] = Sha256AndCopyFile(paths[i], copies[i]); },
      threads);
  return hashes;
}

}  // namespace intake
