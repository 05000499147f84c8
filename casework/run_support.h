// What `intake process` (app/) and `intake watch` (watch/) both do before their first case: read
// the profile, make the output folder, start the OCR pool. Each helper prints why it failed to
// stderr for the user (the paths are the user's own arguments: shown, never logged) and the
// caller returns the matching exit code (pipeline/exit_codes.h).
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>

#include "config/profile.h"
#include "ocr/ocr_pool.h"

namespace intake::casework {

// Seconds from the command line as milliseconds (fractions kept).
std::chrono::milliseconds Millis(double seconds);

// The profile at `path`, or the shipped default when it is empty. nullopt: kExitUsage.
std::optional<config::Profile> LoadProfileArg(const std::filesystem::path& path);

// Creates `out_dir` (and its parents). false: kExitOutput.
bool MakeOutputFolder(const std::filesystem::path& out_dir);

// The OCR pool of the run, created once for every case. nullptr: kExitEnvironment.
std::unique_ptr<ocr::OcrPool> StartOcr(int workers, double page_time_limit_seconds);

}  // namespace intake::casework
