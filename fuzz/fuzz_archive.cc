// Fuzz target: the archive walker (stages/unpack with libarchive) on arbitrary bytes: it must
// never write outside the work area, never crash, and stay within its limits.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>

#include "fuzz/fuzz_support.h"
#include "pipeline/case_model.h"
#include "pipeline/log.h"
#include "stages/unpack.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  namespace fs = std::filesystem;
  static const bool quiet = (intake::SetLogLevel("off"), true);
  (void)quiet;
  const fs::path submission = intake::fuzz::WriteInput("submission.bin", data, size);
  const fs::path case_dir = intake::fuzz::Scratch() / "case";
  std::error_code ec;
  fs::remove_all(case_dir, ec);
  intake::Case c;
  c.id = "fuzz";
  c.work_dir = case_dir / "work";
  fs::create_directories(c.work_dir);
  intake::stages::UnpackLimits limits;
  limits.max_total_bytes = 64ULL << 20;
  (void)intake::stages::MakeUnpackStage(submission, limits)->Run(c);
  for (const auto& f : c.files) {
    if (f.container_id.empty()) continue;
    const auto rel = fs::relative(f.path, c.work_dir, ec).generic_string();
    if (rel.rfind("..", 0) == 0) std::abort();  // escaped the work area
  }
  fs::remove_all(case_dir, ec);
  return 0;
}
