// Test helpers for PDFs: writing small ones by hand, and reading written PDFs back with real
// readers: poppler-cpp (search, text) and the poppler-utils and qpdf command-line tools.
#pragma once

#include <poppler-document.h>
#include <poppler-page.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pdf_bytes.h"

namespace intake::testing {

// Writes a PDF of `objects` (see PdfBytes).
inline void WritePdf(const std::filesystem::path& path, const std::vector<std::string>& objects,
                     const std::string& trailer_extra = "") {
  std::ofstream(path, std::ios::binary) << PdfBytes(objects, trailer_extra);
}

// Runs a shell command; its standard output and error, or nullopt when it exits non-zero.
inline std::optional<std::string> RunCommand(const std::string& command) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::string out;
  std::array<char, 4096> buf{};
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
  if (pclose(pipe) != 0) return std::nullopt;
  return out;
}

inline std::unique_ptr<poppler::document> LoadPdf(const std::filesystem::path& path) {
  return std::unique_ptr<poppler::document>(poppler::document::load_from_file(path.string()));
}

// True when Poppler's search finds `word` (UTF-8) on the page.
inline bool PopplerFinds(const poppler::page& page, const std::string& word) {
  poppler::rectf rect;
  return page.search(poppler::ustring::from_utf8(word.c_str()), rect,
                     poppler::page::search_from_top, poppler::case_sensitive);
}

inline std::string PageText(const poppler::page& page) {
  const poppler::byte_array utf8 = page.text().to_utf8();
  return {utf8.begin(), utf8.end()};
}

// pdftotext's UTF-8 text of the whole file, or "" when it fails.
inline std::string PdfToText(const std::filesystem::path& path) {
  return RunCommand("pdftotext -enc UTF-8 '" + path.string() + "' -").value_or("");
}

}  // namespace intake::testing
