// Shared by the libFuzzer targets: a private scratch folder per fuzzing process, and writing the
// fuzzer's bytes to a file there (the code under test reads files, as in production).
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace intake::fuzz {

// /tmp/intake-fuzz-<pid>/, created once, removed at exit.
inline const std::filesystem::path& Scratch() {
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("intake-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(
          std::filesystem::temp_directory_path() / ("intake-fuzz-" + std::to_string(::getpid())),
          ec);
    });
    return d;
  }();
  return dir;
}

inline std::filesystem::path WriteInput(const std::string& name, const uint8_t* data,
                                        std::size_t size) {
  const auto path = Scratch() / name;
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

}  // namespace intake::fuzz
