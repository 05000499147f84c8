// Fuzz target: the hospital profile parser and validator (config/profile) on arbitrary YAML.
#include <cstddef>
#include <cstdint>

#include "config/profile.h"
#include "fuzz/fuzz_support.h"
#include "pipeline/log.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  static const bool quiet = (intake::SetLogLevel("off"), true);
  (void)quiet;
  const auto path = intake::fuzz::WriteInput("profile.yaml", data, size);
  (void)intake::config::ValidateProfileFile(path);
  (void)intake::config::LoadProfile(path);
  return 0;
}
