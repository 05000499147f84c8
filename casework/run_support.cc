#include "casework/run_support.h"

#include <iostream>
#include <system_error>

#include "stages/facts.h"

namespace intake::casework {

namespace fs = std::filesystem;

std::chrono::milliseconds Millis(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

std::optional<config::Profile> LoadProfileArg(const fs::path& path) {
  auto profile = config::LoadProfile(path.empty() ? config::DefaultProfilePath() : path);
  if (!profile.ok()) {
    std::cerr << "intake: " << profile.message() << "\n";
    return std::nullopt;
  }
  return std::move(*profile);
}

bool MakeOutputFolder(const fs::path& out_dir) {
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec || !fs::is_directory(out_dir)) {
    std::cerr << "intake: cannot create the output folder " << out_dir << "\n";
    return false;
  }
  return true;
}

std::unique_ptr<ocr::OcrPool> StartOcr(int workers, double page_time_limit_seconds) {
  ocr::OcrOptions options;
  options.workers = workers;
  options.page_time_limit = Millis(page_time_limit_seconds);
  options.closed_fields = stages::FormClosedFields();
  auto pool = ocr::OcrPool::Create(options);
  if (!pool.ok()) {
    std::cerr << "intake: OCR engine could not start: " << pool.message()
              << " (is tesseract-ocr-jpn installed? run scripts/setup.sh)\n";
    return nullptr;
  }
  return std::move(*pool);
}

}  // namespace intake::casework
