// intake-samplegen: writes every sample submission of samples/<sample>/sample.yaml to
// OUT_DIR/<sample>/submission/..., deterministically (fixed seeds and dates); or, with --corpus,
// the page corpus for measuring classification and OCR (corpus.h).
//
// Usage: intake-samplegen OUT_DIR [--samples DIR] [--profile FILE] [--only NAME]...
//        intake-samplegen --corpus OUT_DIR [--pages N] [--seed S] [--profile FILE] [--held-out] [--type T]...
// Exit codes: 0 all written, 1 a sample or the corpus failed, 2 usage error.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "samples/generator/corpus.h"
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
  int pages = 121;
  std::uint32_t seed = 2026;
};

int Usage() {
  std::fprintf(stderr,
               "usage: intake-samplegen OUT_DIR [--samples DIR] [--profile FILE] "
               "[--only NAME]...\n"
               "       intake-samplegen --corpus OUT_DIR [--pages N] [--seed S] [--held-out] [--type T]... "
               "[--profile FILE]\n");
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

}  // namespace

int main(int argc, char** argv) {
  Arguments args;
  if (!ParseArguments(argc, argv, args)) return Usage();
  // Zip entries store local (DOS) times: fix the zone so that the bytes do not depend on it.
  setenv("TZ", "UTC", 1);
  tzset();

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
