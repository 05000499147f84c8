// Unpack stage: turns a submission (folder, archive, PDF, image, ISO) into the Case's file list.
//
// Archives (zip, 7z, tar.*, ISO 9660) are extracted (read by archive/) into the case's work
// area, nested archives too, with limits. Nothing is written outside the work area: entries with
// absolute or `..` paths, symlinks, hard links and device files are skipped with UNSAFE_PATH;
// encrypted entries give ENCRYPTED_ARCHIVE. The submission itself is only read, never changed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include "pipeline/stage.h"

namespace intake::stages {

struct UnpackLimits {
  std::uint64_t max_total_bytes = 8ULL << 30;  // all extracted data
  std::uint64_t max_entries = 100000;
  int max_depth = 4;         // archives inside archives
  double max_ratio = 200.0;  // uncompressed / compressed, per archive
};

std::unique_ptr<Stage> MakeUnpackStage(std::filesystem::path submission, UnpackLimits limits = {});

// The unpack stage for envelope `number` (from 1) of a case that may span several: its files are
// numbered on after those of the envelopes before it and marked with the envelope's number.
std::unique_ptr<Stage> MakeEnvelopeUnpackStage(std::filesystem::path submission, int number);

}  // namespace intake::stages
