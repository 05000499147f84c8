// Sample writer: turns one SampleSpec into its submission files (the glue of the generator's
// modules: content -> render -> degrade -> package, plus the DICOM disc).
#pragma once

#include <filesystem>

#include "pipeline/result.h"
#include "samples/generator/sample_spec.h"

namespace intake::samplegen {

struct WriterOptions {
  std::filesystem::path profile;  // every document is checked against its keywords
};

// Writes `out_dir`/submission/... after removing an older submission folder there. Files inside
// a zip are staged in `out_dir`/.staging and removed afterwards.
Status WriteSample(const SampleSpec& spec, const std::filesystem::path& out_dir,
                   const WriterOptions& options);

}  // namespace intake::samplegen
