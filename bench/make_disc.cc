// intake-bench-make-disc: writes a large synthetic disc tree for the DICOM benchmark.
//
// Usage: intake-bench-make-disc OUT_DIR [--files N] [--series S] [--size PX]
// Writes S series (default 4) of N/S slices each (default N = 2000), PX x PX 16-bit CT slices
// (default 512, the size of a real CT slice), each series a disc-like tree with its DICOMDIR
// under OUT_DIR/SERIESnn/. The images are the synthetic phantom of dicom/synthetic_series.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "dicom/synthetic_series.h"

namespace {

int Usage() {
  std::fprintf(stderr,
               "usage: intake-bench-make-disc OUT_DIR [--files N] [--series S] [--size PX]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage();
  const std::filesystem::path out = argv[1];
  int files = 2000;
  int series = 4;
  int size = 512;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string arg = argv[i];
    const int value = std::atoi(argv[i + 1]);
    if (value <= 0) return Usage();
    if (arg == "--files") {
      files = value;
    } else if (arg == "--series") {
      series = value;
    } else if (arg == "--size") {
      size = value;
    } else {
      return Usage();
    }
  }
  for (int s = 0; s < series; ++s) {
    intake::dicom::SyntheticSeriesSpec spec;
    spec.patient_name = "BENCH^PHANTOM";
    spec.patient_id = "BENCH0001";
    spec.patient_birth_date = "19700101";
    spec.patient_sex = "O";
    spec.study_date = "20261101";
    spec.study_description = "BENCH";
    spec.series_description = "SERIES " + std::to_string(s + 1);
    spec.slices = files / series + (s < files % series ? 1 : 0);
    spec.rows = size;
    spec.columns = size;
    spec.uid_seed = "bench-disc-" + std::to_string(s);
    char name[32];
    std::snprintf(name, sizeof name, "SERIES%02d", s + 1);
    auto written = intake::dicom::WriteSyntheticDisc(out / name, spec);
    if (!written.ok()) {
      std::fprintf(stderr, "intake-bench-make-disc: %s\n", written.message().c_str());
      return 1;
    }
  }
  std::printf("wrote %d files in %d series under %s\n", files, series, out.c_str());
  return 0;
}
