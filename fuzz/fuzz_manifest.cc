// Fuzz target: the submission manifest (intake.yaml / intake.json) read by the facts stage.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_support.h"
#include "pipeline/case_model.h"
#include "pipeline/log.h"
#include "stages/facts.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  static const bool quiet = (intake::SetLogLevel("off"), true);
  (void)quiet;
  const bool json = size > 0 && data[0] == '{';
  intake::Case c;
  c.id = "fuzz";
  c.submission_date = "2026-11-21";
  intake::SourceFile manifest;
  manifest.id = "f0001";
  manifest.kind = intake::FileKind::kManifest;
  manifest.relative_path = json ? "intake.json" : "intake.yaml";
  manifest.path = intake::fuzz::WriteInput(manifest.relative_path, data, size);
  manifest.size = size;
  c.files.push_back(manifest);
  (void)intake::stages::MakeFactsStage()->Run(c);
  return 0;
}
