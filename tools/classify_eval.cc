// intake-classify-eval: measures page classification on the generated page corpus
// (samples/generator/corpus.h) with the real stages: the OCR pool (Tesseract, preprocessing on),
// the screen stage and the classify stage with a profile.
//
// Usage: intake-classify-eval CORPUS_DIR [--profile FILE] [--workers N] [--min-accuracy P]
//                             [--min-facts P] [--markdown FILE] [--text-cache DIR]
//
// Prints the accuracy overall, per degradation and per document type (and, for a held-out
// corpus, per typeface and layout), the confusion matrix (Markdown) and every misclassified page;
// where the truth states form facts, each such page alone through the facts stage, and the facts
// read wrong. A page counts as right when its type is the truth's;
// the pages of one corpus document are given to the classifier as one file, in order, the way a
// scanned letter arrives. --text-cache keeps each page's OCR text in DIR and reuses it on the next
// run (for working on the classifier without waiting for OCR; the measurement of record runs
// without it). Exit codes: 0 accuracy >= --min-accuracy and form facts >= --min-facts (defaults
// 0), 1 below, 2 usage or input error, 4 OCR language data missing.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "config/profile.h"
#include "ocr/ocr_pool.h"
#include "ocr/openmp_env.h"
#include "pipeline/case_model.h"
#include "pipeline/local_time.h"
#include "pipeline/log.h"
#include "stages/classify.h"
#include "stages/facts.h"
#include "stages/ocr.h"
#include "stages/screen.h"
#include "text/text_normalize.h"

namespace {

namespace fs = std::filesystem;
using intake::Case;
using intake::Page;

struct Arguments {
  fs::path corpus;
  fs::path profile;
  int workers = 0;
  double min_accuracy = 0;
  double min_facts = 0;  // of the form facts the truth states, read right
  fs::path markdown;
  fs::path text_cache;
};

struct TruthPage {
  std::string file;
  std::string document;
  int page = 1;
  std::string doc_type;
  std::string variant;
  std::string degradation;
  std::string text;  // the rendered lines, for the character error rate
  std::string font;    // held-out corpus only: the typeface, and the layout's parts
  std::string layout;  // e.g. "spaced-title+cells"
  nlohmann::json facts;  // held-out application forms: the facts the page states
};

int Usage() {
  std::fprintf(stderr,
               "usage: intake-classify-eval CORPUS_DIR [--profile FILE] [--workers N] "
               "[--min-accuracy P] [--min-facts P] [--markdown FILE] [--text-cache DIR]\n");
  return 2;
}

bool ParseArguments(int argc, char** argv, Arguments& args) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--profile" && has_value) {
      args.profile = argv[++i];
    } else if (arg == "--workers" && has_value) {
      args.workers = std::atoi(argv[++i]);
    } else if (arg == "--min-accuracy" && has_value) {
      args.min_accuracy = std::atof(argv[++i]);
    } else if (arg == "--min-facts" && has_value) {
      args.min_facts = std::atof(argv[++i]);
    } else if (arg == "--markdown" && has_value) {
      args.markdown = argv[++i];
    } else if (arg == "--text-cache" && has_value) {
      args.text_cache = argv[++i];
    } else if (!arg.empty() && arg[0] != '-' && args.corpus.empty()) {
      args.corpus = arg;
    } else {
      return false;
    }
  }
  return !args.corpus.empty();
}

std::vector<TruthPage> ReadTruth(const fs::path& corpus, std::string& error) {
  std::vector<TruthPage> pages;
  std::ifstream in(corpus / "truth.jsonl");
  if (!in) {
    error = "no truth.jsonl in " + corpus.string();
    return pages;
  }
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    try {
      const auto j = nlohmann::json::parse(line);
      std::string text;
      for (const auto& l : j.value("lines", nlohmann::json::array())) text += l.get<std::string>();
      pages.push_back({j.at("file"), j.at("document"), j.at("page"), j.at("doc_type"),
                       j.value("variant", ""), j.at("degradation"), text, j.value("font", ""),
                       j.value("layout", ""), j.value("facts", nlohmann::json::object())});
    } catch (const nlohmann::json::exception& e) {
      error = "truth.jsonl line " + std::to_string(number) + ": " + e.what();
      return {};
    }
  }
  return pages;
}

// Code points of text in match form (NFKC, no whitespace): what keyword matching sees, so
// full-width/half-width and spacing differences are not errors.
std::u32string MatchCodepoints(const std::string& text) {
  return intake::text::CodePoints(intake::text::MatchForm(text));
}

std::string Percent(int right, int total) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f%%", total == 0 ? 0.0 : 100.0 * right / total);
  return buffer;
}

// Right and total pages per value of one property of the truth (the held-out corpus's typeface,
// each part of its layout), as a markdown table; empty when no page has the property.
std::string TallyTable(const std::string& heading, const std::vector<TruthPage>& truth,
                       const std::vector<bool>& right,
                       std::vector<std::string> (*values)(const TruthPage&)) {
  std::map<std::string, std::pair<int, int>> tally;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    for (const std::string& v : values(truth[i])) {
      tally[v].second++;
      if (right[i]) tally[v].first++;
    }
  }
  if (tally.empty()) return "";
  std::ostringstream out;
  out << "\n| " << heading << " | pages | right | accuracy |\n|---|---:|---:|---:|\n";
  for (const auto& [value, counts] : tally) {
    out << "| " << value << " | " << counts.second << " | " << counts.first << " | "
        << Percent(counts.first, counts.second) << " |\n";
  }
  return out.str();
}

std::string FactText(const intake::Fact* f) {
  if (!f || !f->known()) return "(none)";
  if (const auto* s = std::get_if<std::string>(&f->value)) return *s;
  if (const auto* b = std::get_if<bool>(&f->value)) return *b ? "true" : "false";
  return std::to_string(std::get<std::int64_t>(f->value));
}

std::string ExpectedText(const nlohmann::json& v) {
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

// The form facts of every page whose truth states some: the page alone, as the document its
// truth says, through the facts stage; right and total per fact, and the facts read wrong.
std::string FormFactsTable(const std::vector<TruthPage>& truth, const Case& classified,
                           int& right_out, int& total_out) {
  std::map<std::string, std::pair<int, int>> by_fact;
  std::ostringstream wrong;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    if (truth[i].facts.empty()) continue;
    Case c;
    c.id = "facts";
    c.submission_date = intake::FormatLocalNow("%Y-%m-%d");  // as `process` sets it: received now
    c.pages.push_back(classified.pages[i]);
    intake::Document d;
    d.id = "d001";
    d.type = truth[i].doc_type;
    d.page_ids = {c.pages[0].id};
    c.documents.push_back(d);
    if (!intake::stages::MakeFactsStage()->Run(c).ok()) continue;
    for (const auto& [name, want] : truth[i].facts.items()) {
      const std::string got = FactText(c.FindFact(name));
      auto& [r, n] = by_fact[name];
      ++n;
      if (got == ExpectedText(want)) {
        ++r;
      } else {
        wrong << "| " << truth[i].file << " | " << name << " | " << ExpectedText(want) << " | "
              << got << " | " << truth[i].layout << " |\n";
      }
    }
  }
  if (by_fact.empty()) return "";
  std::ostringstream out;
  out << "\nForm facts of the application forms (the page alone through the facts stage):\n\n"
         "| fact | read | right | accuracy |\n|---|---:|---:|---:|\n";
  for (const auto& [name, counts] : by_fact) {
    out << "| " << name << " | " << counts.second << " | " << counts.first << " | "
        << Percent(counts.first, counts.second) << " |\n";
    right_out += counts.first;
    total_out += counts.second;
  }
  out << "| all | " << total_out << " | " << right_out << " | " << Percent(right_out, total_out)
      << " |\n";
  if (!wrong.str().empty()) {
    out << "\n| page | fact | truth | read | layout |\n|---|---|---|---|---|\n" << wrong.str();
  }
  return out.str();
}

std::vector<std::string> FontOf(const TruthPage& t) {
  if (t.font.empty()) return {};
  return {t.font};
}

std::vector<std::string> LayoutPartsOf(const TruthPage& t) {
  std::vector<std::string> parts;
  std::stringstream layout(t.layout);
  for (std::string part; std::getline(layout, part, '+');) parts.push_back(part);
  return parts;
}

// A short column heading for a type id.
std::string ShortName(const std::string& type) {
  static const std::map<std::string, std::string> kShort = {
      {"referral_letter", "ref"},
      {"surgery_attachment_form", "sur"},
      {"application_form", "app"},
      {"consultation_sheet", "cst"},
      {"consent_form", "cns"},
      {"koseki", "kos"},
      {"juminhyo", "jum"},
      {"insurance_card", "ins"},
      {"id_document", "id"},
      {"medication_list", "med"},
      {"blood_test", "bld"},
      {"physiological_test", "phy"},
      {"imaging_report", "img"},
      {"pathology_report", "pat"},
      {"other", "oth"},
  };
  const auto it = kShort.find(type);
  return it == kShort.end() ? type : it->second;
}

// Reads cached page texts; returns the indexes of pages still to OCR.
std::vector<std::size_t> LoadCachedTexts(const fs::path& cache, const std::vector<TruthPage>& truth,
                                         Case& c) {
  std::vector<std::size_t> missing;
  for (std::size_t i = 0; i < c.pages.size(); ++i) {
    const fs::path file = cache / (fs::path(truth[i].file).filename().string() + ".txt");
    std::ifstream in(file, std::ios::binary);
    if (cache.empty() || !in) {
      missing.push_back(i);
      continue;
    }
    std::stringstream text;
    text << in.rdbuf();
    Page& page = c.pages[i];
    page.text = text.str();
    page.text_source = intake::TextSource::kOcr;
    page.ocr_confidence = 0.9;
    page.needs_ocr = false;
  }
  return missing;
}

}  // namespace

int main(int argc, char** argv) {
  intake::ocr::ReexecWithOpenMpThreadLimit(argv);
  Arguments args;
  if (!ParseArguments(argc, argv, args)) return Usage();
  intake::SetLogLevel("warn");

  std::string error;
  const std::vector<TruthPage> truth = ReadTruth(args.corpus, error);
  if (!error.empty() || truth.empty()) {
    std::fprintf(stderr, "intake-classify-eval: %s\n",
                 error.empty() ? "the corpus is empty" : error.c_str());
    return 2;
  }
  const fs::path profile_path =
      args.profile.empty() ? intake::config::DefaultProfilePath() : args.profile;
  auto profile = intake::config::LoadProfile(profile_path);
  if (!profile.ok()) {
    std::fprintf(stderr, "intake-classify-eval: %s\n", profile.message().c_str());
    return 2;
  }

  // One source file per corpus document; its pages in order.
  Case c;
  c.id = "corpus";
  // The OCR stage keeps the images it read in the case's work area: a temporary folder here.
  std::string work_dir = (fs::temp_directory_path() / "intake-classify-eval-XXXXXX").string();
  if (mkdtemp(work_dir.data()) == nullptr) {
    std::fprintf(stderr, "intake-classify-eval: cannot create a temporary folder\n");
    return 2;
  }
  c.work_dir = work_dir;
  struct RemoveWorkDir {
    fs::path dir;
    ~RemoveWorkDir() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } remove_work_dir{work_dir};
  std::map<std::string, std::string> file_of_document;
  for (const TruthPage& t : truth) {
    auto [it, added] = file_of_document.try_emplace(t.document, c.NextFileId());
    if (added) {
      intake::SourceFile f;
      f.id = it->second;
      f.path = args.corpus / t.file;
      c.files.push_back(f);
    }
    Page page;
    page.id = c.NextPageId();
    page.file_id = it->second;
    page.number_in_file = t.page;
    page.image_path = args.corpus / t.file;
    page.needs_ocr = true;
    c.pages.push_back(page);
  }

  const auto start = std::chrono::steady_clock::now();
  if (!args.text_cache.empty()) fs::create_directories(args.text_cache);
  const std::vector<std::size_t> to_ocr = LoadCachedTexts(args.text_cache, truth, c);
  if (!to_ocr.empty()) {
    intake::ocr::OcrOptions ocr_options;
    ocr_options.workers = args.workers;
    ocr_options.closed_fields = intake::stages::FormClosedFields();
    auto pool = intake::ocr::OcrPool::Create(ocr_options);
    if (!pool.ok()) {
      std::fprintf(stderr, "intake-classify-eval: %s\n", pool.message().c_str());
      return 4;
    }
    std::printf("OCR of %zu pages on %d workers (%s)...\n", to_ocr.size(), (*pool)->workers(),
                (*pool)->engine_version().c_str());
    std::fflush(stdout);
    if (auto s = intake::stages::MakeOcrStage(**pool)->Run(c); !s.ok()) {
      std::fprintf(stderr, "intake-classify-eval: OCR: %s\n", s.message().c_str());
      return 2;
    }
    if (!args.text_cache.empty()) {
      for (std::size_t i : to_ocr) {
        std::ofstream(args.text_cache / (fs::path(truth[i].file).filename().string() + ".txt"),
                      std::ios::binary)
            << c.pages[i].text;
      }
    }
  }
  const double ocr_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  c.findings.clear();
  if (!intake::stages::MakeScreenStage()->Run(c).ok() ||
      !intake::stages::MakeClassifyStage(*profile)->Run(c).ok()) {
    std::fprintf(stderr, "intake-classify-eval: classification failed\n");
    return 2;
  }

  // Tallies.
  std::vector<std::string> types;
  for (const auto& t : profile->document_types) types.push_back(t.id);
  types.push_back("other");
  std::map<std::string, std::map<std::string, int>> confusion;  // truth -> got -> count
  std::map<std::string, std::pair<int, int>> by_degradation;    // right, total
  std::map<std::string, std::pair<std::size_t, std::size_t>> cer_by_degradation;  // edits, chars
  std::map<std::string, std::vector<double>> page_cer_by_degradation;
  std::map<std::string, std::pair<int, int>> by_type;
  int right = 0;
  int confident_wrong = 0;
  int unsure_right = 0;
  std::ostringstream wrong_list;
  std::ostringstream unsure_list;
  std::vector<bool> page_right;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const TruthPage& t = truth[i];
    const Page& page = c.pages[i];
    const bool ok = page.doc_type == t.doc_type;
    page_right.push_back(ok);
    confusion[t.doc_type][page.doc_type]++;
    if (std::find(types.begin(), types.end(), page.doc_type) == types.end())
      types.push_back(page.doc_type);
    if (!t.text.empty()) {
      const std::u32string want = MatchCodepoints(t.text);
      const std::size_t edits = intake::text::EditDistance(MatchCodepoints(page.text), want);
      cer_by_degradation[t.degradation].first += edits;
      cer_by_degradation[t.degradation].second += want.size();
      page_cer_by_degradation[t.degradation].push_back(
          want.empty() ? 0.0 : static_cast<double>(edits) / static_cast<double>(want.size()));
    }
    auto& d = by_degradation[t.degradation];
    auto& ty = by_type[t.doc_type];
    ++d.second;
    ++ty.second;
    if (ok) {
      ++right;
      ++d.first;
      ++ty.first;
      if (page.doc_type != "other" && page.type_score < profile->min_confidence) {
        ++unsure_right;
        char score[32];
        std::snprintf(score, sizeof score, "%.2f", page.type_score);
        unsure_list << "| " << t.file << " | " << t.doc_type << " | " << score << " |\n";
      }
      continue;
    }
    if (page.doc_type != "other" && page.type_score >= profile->min_confidence) ++confident_wrong;
    std::string evidence;
    for (const auto& e : page.evidence) evidence += (evidence.empty() ? "" : ", ") + e;
    char score[64];
    std::snprintf(score, sizeof score, "%.2f (OCR %.0f%%)", page.type_score,
                  100 * page.ocr_confidence.value_or(0));
    wrong_list << "| " << t.file << " | " << t.doc_type
               << (t.variant.empty() ? "" : " (" + t.variant + ")") << " | " << page.doc_type
               << " | " << score << " | " << evidence << " |\n";
  }

  std::ostringstream out;
  const int total = static_cast<int>(truth.size());
  out << "Pages: " << total << ", classified right: " << right << " (" << Percent(right, total)
      << "); wrong with a confidence at or above the profile's min_confidence ("
      << profile->min_confidence << "): " << confident_wrong
      << "; right but below it (needs review): " << unsure_right << "\n\n";
  out << "| degradation | pages | right | accuracy |\n|---|---:|---:|---:|\n";
  std::vector<std::string> degradation_order;
  for (const TruthPage& t : truth) {
    if (std::find(degradation_order.begin(), degradation_order.end(), t.degradation) ==
        degradation_order.end())
      degradation_order.push_back(t.degradation);
  }
  for (const auto& name : degradation_order) {
    const auto& [r, n] = by_degradation[name];
    out << "| " << name << " | " << n << " | " << r << " | " << Percent(r, n) << " |\n";
  }
  out << "\nCharacter error rate of the OCR text against the rendered text (match form: NFKC, "
         "no whitespace; total edits / total characters, and the median page):\n\n"
         "| degradation | pages | characters | CER | median page CER "
         "|\n|---|---:|---:|---:|---:|\n";
  for (const auto& name : degradation_order) {
    auto pages_cer = page_cer_by_degradation[name];
    if (pages_cer.empty()) continue;
    std::sort(pages_cer.begin(), pages_cer.end());
    const auto& [edits, chars] = cer_by_degradation[name];
    char line[160];
    std::snprintf(line, sizeof line, "| %s | %zu | %zu | %.1f%% | %.1f%% |\n", name.c_str(),
                  pages_cer.size(), chars,
                  chars ? 100.0 * static_cast<double>(edits) / static_cast<double>(chars) : 0.0,
                  100.0 * pages_cer[pages_cer.size() / 2]);
    out << line;
  }
  out << "\n| document type | pages | right | accuracy |\n|---|---:|---:|---:|\n";
  for (const auto& type : types) {
    if (!by_type.count(type)) continue;
    const auto& [r, n] = by_type[type];
    out << "| " << type << " | " << n << " | " << r << " | " << Percent(r, n) << " |\n";
  }
  out << TallyTable("typeface (held out)", truth, page_right, FontOf);
  out << TallyTable("layout (held out)", truth, page_right, LayoutPartsOf);
  int facts_right = 0;
  int facts_total = 0;
  out << FormFactsTable(truth, c, facts_right, facts_total);
  out << "\nConfusion matrix (rows: truth, columns: classified as):\n\n| truth \\ got |";
  for (const auto& type : types) out << " " << ShortName(type) << " |";
  out << "\n|---|";
  for (std::size_t k = 0; k < types.size(); ++k) out << "---:|";
  out << "\n";
  for (const auto& row : types) {
    if (!confusion.count(row)) continue;
    out << "| " << row << " (" << ShortName(row) << ") |";
    for (const auto& col : types) {
      const int n = confusion[row].count(col) ? confusion[row][col] : 0;
      out << " " << (n == 0 ? std::string(".") : std::to_string(n)) << " |";
    }
    out << "\n";
  }
  const std::string wrong = wrong_list.str();
  out << "\nMisclassified pages: " << (total - right) << "\n";
  if (!wrong.empty()) {
    out << "\n| page | truth | classified as | confidence | evidence |\n|---|---|---|---|---|\n"
        << wrong;
  }
  const std::string unsure = unsure_list.str();
  if (!unsure.empty()) {
    out << "\nRight, but below min_confidence (a requirement they satisfy needs review):\n\n"
        << "| page | type | confidence |\n|---|---|---|\n"
        << unsure;
  }
  std::printf("%s\n", out.str().c_str());
  std::printf("OCR %.0f s for %zu pages; accuracy %s (required %.1f%%)\n", ocr_seconds,
              to_ocr.size(), Percent(right, total).c_str(), 100 * args.min_accuracy);
  if (facts_total > 0) {
    std::printf("form facts %s (%d of %d)\n", Percent(facts_right, facts_total).c_str(),
                facts_right, facts_total);
  }
  if (!args.markdown.empty()) std::ofstream(args.markdown) << out.str();
  const bool facts_ok =
      facts_total == 0 ? args.min_facts == 0
                       : static_cast<double>(facts_right) / facts_total + 1e-9 >= args.min_facts;
  return static_cast<double>(right) / total + 1e-9 >= args.min_accuracy && facts_ok ? 0 : 1;
}
