// intake-samplegen: writes every sample submission of samples/<sample>/sample.yaml to
// OUT_DIR/<sample>/submission/..., deterministically (fixed seeds and dates); or, with --corpus,
// the page corpus for measuring classification and OCR (corpus.h).
//
// Usage: intake-samplegen OUT_DIR [--samples DIR] [--profile FILE] [--only NAME]...
//        intake-samplegen --corpus OUT_DIR [--pages N] [--seed S] [--profile FILE] [--held-out] [--type T]...
//        intake-samplegen --scan IN_IMAGE OUT_PNG [--seed S]
// --scan degrades a clean page image (a printed page drawn with pdftoppm) like an office scan
// with dust and noise: how the tests make the scan of a printed reply slip (tests/e2e/followup.sh).
// Exit codes: 0 all written, 1 a sample or the corpus failed, 2 usage error.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "samples/generator/corpus.h"
#include "samples/generator/degrade.h"
#include "samples/generator/pix_util.h"
#include "samples/generator/sample_spec.h"
#include "samples/generator/sample_writer.h"

namespace {

namespace fs = std::filesystem;

struct Arguments {
  fs::path out_dir;
  fs::path samples_dir = INTAKE_SAMPLES_DIR;
  fs::path profile = INTAKE_DEFAULT_PROFILE;
  std::vector<std::string> only;
  bool corpus = false;
  bool held_out = false;  // the corpus in typefaces and layouts held out from tuning
  std::vector<std::string> types;  // --type: only these document types in the corpus
  fs::path scan_in;  // --scan IN OUT: out_dir is OUT
  int pages = 121;
  std::uint32_t seed = 2026;
};

int Usage() {
  std::fprintf(stderr,
               "usage: intake-samplegen OUT_DIR [--samples DIR] [--profile FILE] "
               "[--only NAME]...\n"
               "       intake-samplegen --corpus OUT_DIR [--pages N] [--seed S] [--held-out] [--type T]... "
               "[--profile FILE]\n"
               "       intake-samplegen --scan IN_IMAGE OUT_PNG [--seed S]\n");
  return 2;
}

bool ParseArguments(int argc, char** argv, Arguments& args) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--samples" && has_value) {
      args.samples_dir = argv[++i];
    } else if (arg == "--profile" && has_value) {
      args.profile = argv[++i];
    } else if (arg == "--only" && has_value) {
      args.only.push_back(argv[++i]);
    } else if (arg == "--scan" && has_value) {
      args.scan_in = argv[++i];
    } else if (arg == "--corpus") {
      args.corpus = true;
    } else if (arg == "--held-out") {
      args.held_out = true;
    } else if (arg == "--type" && has_value) {
      args.types.push_back(argv[++i]);
    } else if (arg == "--pages" && has_value) {
      args.pages = std::atoi(argv[++i]);
      if (args.pages < 1 || args.pages > 100000) return false;
    } else if (arg == "--seed" && has_value) {
      args.seed = static_cast<std::uint32_t>(std::strtoul(argv[++i], nullptr, 10));
    } else if (!arg.empty() && arg[0] != '-' && args.out_dir.empty()) {
      args.out_dir = arg;
    } else {
      return false;
    }
  }
  return !args.out_dir.empty();
}

// Every samples/<name>/sample.yaml, sorted by name.
std::vector<fs::path> FindSamples(const Arguments& args) {
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(args.samples_dir, ec)) {
    const fs::path yaml = entry.path() / "sample.yaml";
    if (!entry.is_directory() || !fs::exists(yaml)) continue;
    const std::string name = entry.path().filename().string();
    if (!args.only.empty() &&
        std::find(args.only.begin(), args.only.end(), name) == args.only.end()) {
      continue;
    }
    found.push_back(yaml);
  }
  std::sort(found.begin(), found.end());
  return found;
}

// --scan: the page as an office scanner gives it back (skew, blur, grey paper, noise and dust).
int ScanImage(const Arguments& args) {
  using namespace intake::samplegen;
  PIX* read = pixRead(args.scan_in.c_str());
  if (read == nullptr) {
    std::fprintf(stderr, "intake-samplegen: --scan: cannot read the image\n");
    return 1;
  }
  PixPtr source(read);
  PixPtr grey(pixConvertTo8(source.get(), 0));
  const int dpi = pixGetXRes(source.get()) > 0 ? pixGetXRes(source.get()) : 200;
  const GreyImage clean = FromPix(grey.get(), dpi);
  auto scanned = DegradeLikeScan(clean, ScanOptionsFromSeed(args.seed), args.seed);
  if (scanned.ok()) scanned = AddDirt(*scanned, 6, args.seed);
  if (!scanned.ok()) {
    std::fprintf(stderr, "intake-samplegen: --scan: %s\n", scanned.message().c_str());
    return 1;
  }
  PixPtr out = ToPix(*scanned);
  if (!out || pixWrite(args.out_dir.c_str(), out.get(), IFF_PNG) != 0) {
    std::fprintf(stderr, "intake-samplegen: --scan: cannot write the image\n");
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Arguments args;
  if (!ParseArguments(argc, argv, args)) return Usage();
  // Zip entries store local (DOS) times: fix the zone so that the bytes do not depend on it.
  setenv("TZ", "UTC", 1);
  tzset();

  if (!args.scan_in.empty()) return ScanImage(args);
  if (args.corpus) {
    intake::samplegen::CorpusOptions options;
    options.pages = args.pages;
    options.seed = args.seed;
    options.profile = args.profile;
    options.held_out = args.held_out;
    options.types = args.types;
    if (intake::Status s = intake::samplegen::WriteCorpus(args.out_dir, options); !s.ok()) {
      std::fprintf(stderr, "intake-samplegen: corpus: %s\n", s.message().c_str());
      return 1;
    }
    std::printf("intake-samplegen: corpus of %d pages -> %s\n", args.pages,
                args.out_dir.lexically_normal().c_str());
    return 0;
  }

  const std::vector<fs::path> samples = FindSamples(args);
  if (samples.empty()) {
    std::fprintf(stderr, "intake-samplegen: no sample.yaml under %s\n", args.samples_dir.c_str());
    return 1;
  }
  intake::samplegen::WriterOptions options;
  options.profile = args.profile;

  int failures = 0;
  for (const fs::path& yaml : samples) {
    auto spec = intake::samplegen::LoadSampleSpec(yaml);
    if (!spec.ok()) {
      std::fprintf(stderr, "intake-samplegen: %s\n", spec.message().c_str());
      ++failures;
      continue;
    }
    const fs::path out = args.out_dir / spec->name;
    if (intake::Status s = intake::samplegen::WriteSample(*spec, out, options); !s.ok()) {
      std::fprintf(stderr, "intake-samplegen: %s: %s\n", spec->name.c_str(), s.message().c_str());
      ++failures;
      continue;
    }
    std::printf("intake-samplegen: %s -> %s\n", spec->name.c_str(),
                (out / "submission" / spec->submission).lexically_normal().c_str());
  }
  return failures == 0 ? 0 : 1;
}
