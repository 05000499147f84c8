// intake-serve-fixture OUT N [--markup]: N fixture cases (review_fixture.h) into the output
// folder OUT, for the review server's browser test and benchmark. With --markup the first case's
// patient name holds markup. Prints the ids of the first case of each kind, one per line.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "config/profile.h"
#include "pipeline/log.h"
#include "tests/serve/review_fixture.h"

int main(int argc, char** argv) {
  using intake::serve_test::Kind;
  if (argc < 3) {
    std::fprintf(stderr, "usage: intake-serve-fixture OUT N [--markup]\n");
    return 2;
  }
  intake::SetLogLevel("warn");  // not a line per case
  const std::filesystem::path out = argv[1];
  const int count = std::atoi(argv[2]);
  const bool markup = argc > 3 && std::strcmp(argv[3], "--markup") == 0;
  auto profile = intake::config::LoadProfile(intake::config::DefaultProfilePath());
  if (!profile.ok()) {
    std::fprintf(stderr, "%s\n", profile.message().c_str());
    return 2;
  }
  std::filesystem::create_directories(out);
  auto written = intake::serve_test::WriteCases(out, *profile, count);
  if (!written.ok()) {
    std::fprintf(stderr, "%s\n", written.message().c_str());
    return 1;
  }
  if (markup) {
    intake::serve_test::Patient p{"<script>document.title='pwned'</script>山田", "<b>ヤマダ</b>",
                                  "1950-04-01"};
    auto id = intake::serve_test::WriteCase(
        out, *profile, intake::serve_test::MakeCase(*profile, count, Kind::kNeedsReview, p));
    if (!id.ok()) return 1;
    std::printf("markup %s\n", id->c_str());
  }
  const char* kinds[] = {"complete", "incomplete", "needs_review", "other_page", "mismatch"};
  for (int i = 0; i < 5 && i < count; ++i) {
    intake::Case c = intake::serve_test::MakeCase(*profile, i, static_cast<Kind>(i), {});
    std::printf("%s %s\n", kinds[i], c.id.c_str());
  }
  return 0;
}
