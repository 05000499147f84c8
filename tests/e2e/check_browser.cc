// intake-e2e-browser: index.html and a report.html of a real output folder (made by
// dashboard_setup.sh) opened in headless Chromium from file://, as staff open them.
//
// Screenshots (1200x1600) are kept in SHOTS_DIR for a look. Checks: each PNG decodes at the
// window size, is not blank (enough non-white pixels, more than a few colours), and shows the
// verdict colours of the cases (green for complete, red for incomplete ...); the DOM Chromium
// builds lists every case folder once with its case id and verdict word, newest first, and every
// link in it resolves to an existing report.html; the report's DOM names its case and verdict.
//
// Usage: intake-e2e-browser --run RUN_DIR --shots SHOTS_DIR [--chromium PATH]
// Exit codes: 0 pass, 1 a check failed, 2 usage or setup error, 77 Chromium is not installed
// (CTest's SKIP_RETURN_CODE).
#include <leptonica/allheaders.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "tests/e2e/e2e_support.h"

namespace {

namespace fs = std::filesystem;
using intake::e2e::ReadFile;
using nlohmann::json;

constexpr int kWidth = 1200;
constexpr int kHeight = 1600;
constexpr int kSkip = 77;

int failures = 0;

void Check(bool ok, const std::string& what, const std::string& detail = {}) {
  std::printf("  %-6s %s%s%s\n", ok ? "ok" : "FAIL", what.c_str(), detail.empty() ? "" : ": ",
              detail.c_str());
  if (!ok) ++failures;
}

fs::path FindChromium(const std::string& given) {
  if (!given.empty()) return fs::exists(given) ? fs::path(given) : fs::path();
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const fs::path dir = dirs.substr(start, end - start);
    for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
      if (!dir.empty() && ::access((dir / name).c_str(), X_OK) == 0) return dir / name;
    }
    start = end + 1;
  }
  return {};
}

struct Rgb {
  int r, g, b;
};

// The colours report/html_common.cc gives each verdict's badge and box.
const std::map<std::string, Rgb> kVerdictColour = {
    {"complete", {0x1b, 0x7f, 0x3b}},
    {"incomplete", {0xc6, 0x28, 0x28}},
    {"needs_review", {0xe6, 0x95, 0x00}},
    {"rejected", {0x7a, 0x00, 0x00}},
};

struct PixDeleter {
  void operator()(PIX* pix) const { pixDestroy(&pix); }
};

struct ImageStats {
  int width = 0, height = 0;
  double non_white = 0;  // fraction of pixels that are not (near) white
  std::size_t colours = 0;
  std::map<std::string, int> verdict_pixels;  // verdict -> pixels of its colour
};

std::optional<ImageStats> Analyse(const fs::path& png) {
  std::unique_ptr<PIX, PixDeleter> raw(pixRead(png.c_str()));
  if (!raw) return std::nullopt;
  std::unique_ptr<PIX, PixDeleter> pix(pixConvertTo32(raw.get()));
  if (!pix) return std::nullopt;
  ImageStats s;
  s.width = pixGetWidth(pix.get());
  s.height = pixGetHeight(pix.get());
  std::set<std::uint32_t> colours;
  std::size_t non_white = 0;
  for (int y = 0; y < s.height; ++y) {
    for (int x = 0; x < s.width; ++x) {
      l_int32 r = 0, g = 0, b = 0;
      l_uint32 value = 0;
      pixGetPixel(pix.get(), x, y, &value);
      extractRGBValues(value, &r, &g, &b);
      if (r < 245 || g < 245 || b < 245) ++non_white;
      colours.insert((static_cast<std::uint32_t>(r) << 16) | (g << 8) | b);
      for (const auto& [verdict, c] : kVerdictColour) {
        if (std::abs(r - c.r) <= 6 && std::abs(g - c.g) <= 6 && std::abs(b - c.b) <= 6) {
          ++s.verdict_pixels[verdict];
        }
      }
    }
  }
  s.non_white = static_cast<double>(non_white) / (static_cast<double>(s.width) * s.height);
  s.colours = colours.size();
  return s;
}

std::string UrlDecode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::size_t Count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

// Every href in `dom` is relative and names an existing file or folder (a series' DICOM files, the
// original submission) from `base`; at least `minimum`.
void CheckLinks(const std::string& dom, const fs::path& base, const std::string& page,
                std::size_t minimum) {
  const std::regex href_re("href=\"([^\"]*)\"");
  std::size_t links = 0, resolved = 0;
  for (auto it = std::sregex_iterator(dom.begin(), dom.end(), href_re);
       it != std::sregex_iterator(); ++it) {
    const std::string href = (*it)[1];
    ++links;
    const bool relative = href.find("://") == std::string::npos && !href.empty() && href[0] != '/';
    const fs::path target = base / UrlDecode(href);
    if (relative && (fs::is_regular_file(target) || fs::is_directory(target))) {
      ++resolved;
    } else {
      Check(false, page + ": link resolves to a file or folder in the output folder", href);
    }
  }
  Check(links >= minimum && resolved == links,
        page + ": every link is relative and resolves to an existing file or folder",
        std::to_string(resolved) + "/" + std::to_string(links));
}

const std::map<std::string, std::string> kVerdictWord = {{"complete", "完備"},
                                                         {"incomplete", "不足あり"},
                                                         {"needs_review", "要確認"},
                                                         {"rejected", "受付不可"}};

class Browser {
 public:
  Browser(fs::path chromium, fs::path scratch)
      : chromium_(std::move(chromium)), scratch_(std::move(scratch)) {}

  // Chromium keeps its profile and caches in the build folder, not in $HOME.
  int Screenshot(const fs::path& page, const fs::path& png) {
    fs::remove(png);
    return Launch({"--screenshot=" + png.string(),
                   "--window-size=" + std::to_string(kWidth) + "," + std::to_string(kHeight),
                   "file://" + page.string()},
                  scratch_ / "chromium.out");
  }

  std::string DumpDom(const fs::path& page) {
    const fs::path dom = scratch_ / (page.parent_path().filename().string() + "-" +
                                     page.filename().string() + ".dom.html");
    const int code = Launch({"--dump-dom", "file://" + page.string()}, dom);
    Check(code == 0, "chromium --dump-dom " + page.filename().string(),
          "exit " + std::to_string(code));
    return ReadFile(dom).value_or("");
  }

 private:
  int Launch(std::vector<std::string> args, const fs::path& stdout_path) {
    std::vector<std::string> argv{
        chromium_.string(),  "--headless",
        "--no-sandbox",      "--disable-gpu",
        "--hide-scrollbars", "--user-data-dir=" + (scratch_ / "profile").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return intake::e2e::Run(
        argv, {.stdout_path = stdout_path,
               .stderr_path = scratch_ / "chromium.err",
               .extra_env = {"HOME=" + (scratch_ / "home").string(), "LANG=ja_JP.UTF-8"}});
  }

  fs::path chromium_;
  fs::path scratch_;
};

void CheckScreenshot(const fs::path& png, int code, const std::set<std::string>& verdicts) {
  const std::string name = png.filename().string();
  Check(code == 0 && fs::exists(png), name + " written", "chromium exit " + std::to_string(code));
  const auto stats = Analyse(png);
  Check(stats.has_value(), name + " decodes");
  if (!stats) return;
  Check(stats->width == kWidth && stats->height == kHeight, name + " is the window size",
        std::to_string(stats->width) + "x" + std::to_string(stats->height));
  char detail[64];
  std::snprintf(detail, sizeof detail, "%.1f%% not white, %zu colours", stats->non_white * 100,
                stats->colours);
  Check(stats->non_white > 0.01 && stats->colours > 50, name + " is not blank", detail);
  for (const auto& verdict : verdicts) {
    const int pixels = stats->verdict_pixels.count(verdict) ? stats->verdict_pixels.at(verdict) : 0;
    Check(pixels > 200, name + " shows the " + verdict + " colour",
          std::to_string(pixels) + " pixels");
  }
}

}  // namespace

int main(int argc, char** argv) {
  fs::path run, shots;
  std::string chromium_arg;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string arg = argv[i];
    if (arg == "--run")
      run = argv[i + 1];
    else if (arg == "--shots")
      shots = argv[i + 1];
    else if (arg == "--chromium")
      chromium_arg = argv[i + 1];
  }
  if (run.empty() || shots.empty()) {
    std::fprintf(stderr, "usage: intake-e2e-browser --run DIR --shots DIR [--chromium PATH]\n");
    return 2;
  }
  const fs::path chromium = FindChromium(chromium_arg);
  if (chromium.empty()) {
    std::printf("SKIP: Chromium is not installed (apt-get install chromium)\n");
    return kSkip;
  }
  const fs::path out = fs::absolute(run / "out");
  const fs::path index = out / "index.html";
  if (!fs::exists(index)) {
    std::fprintf(stderr, "no %s: did the fixture e2e.dashboard_setup run?\n", index.c_str());
    return 2;
  }
  shots = fs::absolute(shots);
  fs::remove_all(shots);
  fs::create_directories(shots);
  const fs::path scratch = fs::absolute(run / "chromium");
  fs::create_directories(scratch / "home");
  Browser browser(chromium, scratch);

  // The cases, from their reports.
  struct CaseInfo {
    std::string id, verdict, received_at;
  };
  std::vector<CaseInfo> cases;
  for (const auto& entry : fs::directory_iterator(out)) {
    const auto text = ReadFile(entry.path() / "report.json");
    if (!text) continue;
    const json report = json::parse(*text, nullptr, false);
    cases.push_back({report.value("case_id", ""), report.value("verdict", ""),
                     report.value("generated_at", "")});
  }
  std::sort(cases.begin(), cases.end(), [](const CaseInfo& a, const CaseInfo& b) {
    return a.received_at > b.received_at;  // one machine, one offset: text order is time order
  });
  std::set<std::string> verdicts;
  for (const auto& c : cases) verdicts.insert(c.verdict);
  std::printf("%zu cases; chromium %s; screenshots in %s\n", cases.size(), chromium.c_str(),
              shots.c_str());

  // index.html: the DOM.
  const std::string dom = browser.DumpDom(index);
  Check(Count(dom, "class=\"case-row") == cases.size(), "index lists each case once",
        std::to_string(Count(dom, "class=\"case-row")) + " rows");
  std::size_t previous = 0;
  for (const auto& c : cases) {
    const auto at = dom.find("data-case-id=\"" + c.id + "\"");
    Check(at != std::string::npos, "index lists " + c.id);
    if (at == std::string::npos) continue;
    const std::string row = dom.substr(at, dom.find("</tr>", at) - at);
    Check(row.find("verdict-badge-" + c.verdict + "\">" + kVerdictWord.at(c.verdict)) !=
              std::string::npos,
          c.id + " has the " + c.verdict + " badge (" + kVerdictWord.at(c.verdict) + ")");
    Check(at >= previous, c.id + " is listed after the newer cases");
    previous = at;
  }
  CheckLinks(dom, out, "index.html", 2 * cases.size());

  // Screenshots.
  const fs::path index_png = shots / "index.png";
  CheckScreenshot(index_png, browser.Screenshot(index, index_png), verdicts);
  for (const auto& c : cases) {
    const fs::path report = out / c.id / "report.html";
    const fs::path png = shots / ("report-" + c.id + ".png");
    CheckScreenshot(png, browser.Screenshot(report, png), {c.verdict});
    const std::string report_dom = browser.DumpDom(report);
    Check(report_dom.find(c.id) != std::string::npos &&
              report_dom.find("verdict-word\">" + kVerdictWord.at(c.verdict)) != std::string::npos,
          "report.html of " + c.id + " names its case and verdict in the browser's DOM");
    CheckLinks(report_dom, report.parent_path(), "report.html of " + c.id, 1);
  }

  std::printf("%s (screenshots kept in %s)\n", failures == 0 ? "PASS" : "FAIL", shots.c_str());
  return failures == 0 ? 0 : 1;
}
