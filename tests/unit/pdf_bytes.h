// The bytes of a small PDF written by hand in a test: numbered objects, a correct xref table.
// No library: unit and end-to-end tests both use it.
#pragma once

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

namespace intake::testing {

// A PDF of `objects` (numbered from 1, the first the catalog), with `trailer_extra` in the
// trailer.
inline std::string PdfBytes(const std::vector<std::string>& objects,
                            const std::string& trailer_extra = "") {
  std::ostringstream pdf;
  pdf << "%PDF-1.4\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(static_cast<std::size_t>(pdf.tellp()));
    pdf << i + 1 << " 0 obj\n" << objects[i] << "\nendobj\n";
  }
  const auto xref = pdf.tellp();
  pdf << "xref\n0 " << objects.size() + 1 << "\n0000000000 65535 f \n";
  for (auto offset : offsets) {
    char line[32];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", offset);
    pdf << line;
  }
  pdf << "trailer\n<< /Size " << objects.size() + 1 << " /Root 1 0 R" << trailer_extra
      << " >>\nstartxref\n"
      << xref << "\n%%EOF\n";
  return pdf.str();
}

// A stream object holding `data`.
inline std::string Stream(const std::string& data) {
  return "<< /Length " + std::to_string(data.size()) + " >>\nstream\n" + data + "\nendstream";
}

}  // namespace intake::testing
