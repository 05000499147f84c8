#include "stages/decisions_file.h"

#include <fstream>
#include <sstream>
#include <vector>

namespace intake::stages {

namespace fs = std::filesystem;

Result<FileLock> LockDecisions(const fs::path& out_dir) {
  return FileLock::Acquire(out_dir / kDecisionsLockName);
}

Result<CarriedDecisions> TakeDecisions(const fs::path& out_dir, const std::string& case_id) {
  auto lock = LockDecisions(out_dir);
  if (!lock.ok()) return Result<CarriedDecisions>::Fail(lock.message());
  CarriedDecisions carried{std::move(*lock), std::nullopt};
  std::ifstream in(out_dir / case_id / kDecisionsFileName, std::ios::binary);
  if (in) {
    std::stringstream bytes;
    bytes << in.rdbuf();
    if (in.bad()) return Result<CarriedDecisions>::Fail("the case's decisions cannot be read");
    carried.bytes = bytes.str();
  }
  return carried;
}

Status PutDecisions(CarriedDecisions carried, const fs::path& case_dir) {
  if (!carried.bytes) return Status::Ok();
  return WriteFileAtomically(case_dir / kDecisionsFileName, *carried.bytes);
}

void RemoveCaseFolderKeepingDecisions(const fs::path& case_dir) {
  std::error_code ec;
  if (!fs::exists(case_dir / kDecisionsFileName, ec)) {
    fs::remove_all(case_dir, ec);
    return;
  }
  std::vector<fs::path> others;
  for (fs::directory_iterator it(case_dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().filename() != kDecisionsFileName) others.push_back(it->path());
  for (const auto& path : others) fs::remove_all(path, ec);
}

}  // namespace intake::stages
