#include "config/profile.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "pipeline/hash.h"

namespace intake::config {
namespace {

constexpr const char* kProfileSchema = "intake.profile/1";

// A folder name that is safe on Linux and on the Windows shares physicians open case folders
// from: no separators or characters Windows refuses, no control characters, not hidden, short.
bool IsPlainFolderName(const std::string& name) {
  if (name.empty() || name.size() > 60 || name.front() == '.' || name.back() == '.' ||
      name.back() == ' ')
    return false;
  for (unsigned char ch : name) {
    if (ch < 0x20 || ch == 0x7f) return false;
    if (std::string_view("/\\:*?\"<>|").find(static_cast<char>(ch)) != std::string_view::npos)
      return false;
  }
  return true;
}

// Collects errors while walking the YAML tree; every error names the file, line and key path.
class Parser {
 public:
  explicit Parser(std::string file) : file_(std::move(file)) {}

  std::vector<ConfigError>& errors() { return errors_; }

  void Error(const YAML::Node& node, const std::string& key, const std::string& message) {
    int line = 0;
    if (node.IsDefined() && node.Mark().line >= 0) line = node.Mark().line + 1;
    errors_.push_back({file_, line, key, message});
  }

  std::string String(const YAML::Node& node, const std::string& key, bool required) {
    if (!node.IsDefined() || node.IsNull()) {
      if (required) errors_.push_back({file_, last_line_, key, "required key is missing"});
      return {};
    }
    if (!node.IsScalar()) {
      Error(node, key, "must be a text value");
      return {};
    }
    return node.as<std::string>();
  }

  std::vector<std::string> StringList(const YAML::Node& node, const std::string& key) {
    std::vector<std::string> out;
    if (!node.IsDefined() || node.IsNull()) return out;
    if (!node.IsSequence()) {
      Error(node, key, "must be a list");
      return out;
    }
    for (std::size_t i = 0; i < node.size(); ++i) {
      out.push_back(String(node[i], key + "[" + std::to_string(i) + "]", true));
    }
    return out;
  }

  Literal ParseLiteral(const YAML::Node& node, const std::string& key) {
    if (!node.IsScalar()) {
      Error(node, key, "must be a text, number or true/false");
      return std::string();
    }
    const std::string text = node.as<std::string>();
    if (node.Tag() != "!") {  // unquoted: may be a boolean or an integer
      if (text == "true") return true;
      if (text == "false") return false;
      std::int64_t n = 0;
      if (YAML::convert<std::int64_t>::decode(node, n)) return n;
    }
    return text;
  }

  Condition ParseCondition(const YAML::Node& node, const std::string& key) {
    Condition c;
    if (!node.IsMap()) {
      Error(node, key, "a condition must be a map (all / any / not / fact: ...)");
      return c;
    }
    Track(node);
    auto children = [&](const char* name, Condition::Op op) {
      c.op = op;
      const YAML::Node list = node[name];
      if (!list.IsSequence() || list.size() == 0) {
        Error(list.IsDefined() ? list : node, key + "." + name, "must be a non-empty list");
        return;
      }
      for (std::size_t i = 0; i < list.size(); ++i) {
        c.children.push_back(
            ParseCondition(list[i], key + "." + name + "[" + std::to_string(i) + "]"));
      }
    };
    if (node["all"]) {
      children("all", Condition::Op::kAll);
    } else if (node["any"]) {
      children("any", Condition::Op::kAny);
    } else if (node["not"]) {
      c.op = Condition::Op::kNot;
      c.children.push_back(ParseCondition(node["not"], key + ".not"));
    } else if (node["fact"]) {
      c.fact = String(node["fact"], key + ".fact", true);
      if (!IsKnownFact(c.fact)) Error(node["fact"], key + ".fact", "unknown fact '" + c.fact + "'");
      int ops = 0;
      if (node["equals"]) {
        ++ops;
        c.op = Condition::Op::kEquals;
        c.values.push_back(ParseLiteral(node["equals"], key + ".equals"));
      }
      if (node["in"]) {
        ++ops;
        c.op = Condition::Op::kIn;
        if (!node["in"].IsSequence()) {
          Error(node["in"], key + ".in", "must be a list");
        } else {
          for (std::size_t i = 0; i < node["in"].size(); ++i)
            c.values.push_back(ParseLiteral(node["in"][i], key + ".in"));
        }
      }
      auto number = [&](const char* name, Condition::Op op) {
        ++ops;
        c.op = op;
        Literal v = ParseLiteral(node[name], key + "." + name);
        if (!std::holds_alternative<std::int64_t>(v))
          Error(node[name], key + "." + name, "must be a whole number");
        if (IsKnownFact(c.fact) && !IsIntegerFact(c.fact))
          Error(node[name], key + "." + name, "'" + c.fact + "' is not a whole-number fact");
        c.values.push_back(v);
      };
      if (node["less_than"]) number("less_than", Condition::Op::kLess);
      if (node["at_least"]) number("at_least", Condition::Op::kAtLeast);
      if (node["contains"]) {
        ++ops;
        c.op = Condition::Op::kContains;
        const YAML::Node v = node["contains"];
        const auto words = v.IsSequence() ? StringList(v, key + ".contains")
                                          : std::vector<std::string>{String(v, key, true)};
        for (const auto& w : words) c.values.emplace_back(w);
      }
      if (node["known"]) {
        ++ops;
        c.op = Condition::Op::kKnown;
      }
      if (ops != 1) {
        Error(node, key,
              "a fact condition needs exactly one of equals, in, less_than, at_least, contains, "
              "known");
      }
    } else {
      Error(node, key, "a condition needs one of all, any, not, fact");
    }
    return c;
  }

  void Track(const YAML::Node& node) {
    if (node.IsDefined() && node.Mark().line >= 0) last_line_ = node.Mark().line + 1;
  }

  static bool IsKnownFact(const std::string& name) {
    const auto& facts = KnownFacts();
    return std::find(facts.begin(), facts.end(), name) != facts.end();
  }

  // `count: N` or `count: {fact: F}` with F an integer fact.
  Count ParseCount(const YAML::Node& node, const std::string& key) {
    Count count;
    Track(node);
    if (node.IsScalar()) {
      Literal v = ParseLiteral(node, key);
      const auto* n = std::get_if<std::int64_t>(&v);
      if (!n || *n < 1) {
        Error(node, key, "must be a whole number of at least 1, or {fact: F}");
      } else {
        count.at_least = *n;
      }
      return count;
    }
    if (!node.IsMap() || !node["fact"] || node.size() != 1) {
      Error(node, key, "must be a whole number of at least 1, or {fact: F}");
      return count;
    }
    count.fact = String(node["fact"], key + ".fact", true);
    if (!IsKnownFact(count.fact)) {
      Error(node["fact"], key + ".fact", "unknown fact '" + count.fact + "'");
    } else if (!IsIntegerFact(count.fact)) {
      Error(node["fact"], key + ".fact", "'" + count.fact + "' is not a whole-number fact");
    }
    return count;
  }

 private:
  std::string file_;
  int last_line_ = 0;
  std::vector<ConfigError> errors_;
};

// `letter:` (optional): the letter to the patient's contact details, wording and deadline.
void ParseLetter(Parser& p, const YAML::Node& node, LetterSettings& letter) {
  if (!node.IsDefined() || node.IsNull()) return;
  if (!node.IsMap()) {
    p.Error(node, "letter", "must be a map");
    return;
  }
  static const std::set<std::string> kLetterKeys = {"office", "address",     "phone",
                                                    "hours",  "how_to_send", "deadline_days"};
  for (const auto& entry : node) {
    const std::string k = entry.first.as<std::string>();
    if (!kLetterKeys.count(k)) p.Error(entry.first, "letter." + k, "unknown key");
  }
  letter.office = p.String(node["office"], "letter.office", false);
  letter.address = p.String(node["address"], "letter.address", false);
  letter.phone = p.String(node["phone"], "letter.phone", false);
  letter.hours = p.String(node["hours"], "letter.hours", false);
  letter.how_to_send = p.String(node["how_to_send"], "letter.how_to_send", false);
  if (node["deadline_days"]) {
    const Literal v = p.ParseLiteral(node["deadline_days"], "letter.deadline_days");
    const auto* days = std::get_if<std::int64_t>(&v);
    if (!days || *days < 1 || *days > 365) {
      p.Error(node["deadline_days"], "letter.deadline_days",
              "must be a whole number of days between 1 and 365");
    } else {
      letter.deadline_days = static_cast<int>(*days);
    }
  }
}

// The profile file's bytes and their YAML; nullopt with the error when it cannot be read.
struct LoadedYaml {
  std::string bytes;
  YAML::Node root;
};
std::optional<LoadedYaml> LoadYaml(const std::filesystem::path& path,
                                   std::vector<ConfigError>& errors) {
  const std::string file = path.string();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    errors.push_back({file, 0, "", "cannot open the profile file"});
    return std::nullopt;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  LoadedYaml loaded{buffer.str(), {}};
  try {
    loaded.root = YAML::Load(loaded.bytes);
  } catch (const YAML::ParserException& e) {
    errors.push_back({file, e.mark.line + 1, "", "YAML syntax error: " + e.msg});
    return std::nullopt;
  }
  return loaded;
}

// `schema`, `id`, `name`, `min_confidence`.
void ParseHeader(Parser& p, const YAML::Node& root, Profile& profile) {
  const std::string schema = p.String(root["schema"], "schema", true);
  if (!schema.empty() && schema != kProfileSchema)
    p.Error(root["schema"], "schema",
            "unsupported schema (expected " + std::string(kProfileSchema) + ")");
  profile.id = p.String(root["id"], "id", true);
  profile.name = p.String(root["name"], "name", true);
  if (root["min_confidence"]) {
    try {
      profile.min_confidence = root["min_confidence"].as<double>();
    } catch (const YAML::Exception&) {
      p.Error(root["min_confidence"], "min_confidence", "must be a number between 0 and 1");
    }
    if (profile.min_confidence < 0 || profile.min_confidence > 1)
      p.Error(root["min_confidence"], "min_confidence", "must be between 0 and 1");
  }
}

// One entry of `document_types:`; nullopt when it is not a map.
std::optional<DocumentType> ParseDocumentType(Parser& p, const YAML::Node& id,
                                              const YAML::Node& node) {
  DocumentType t;
  t.id = id.as<std::string>();
  const std::string key = "document_types." + t.id;
  p.Track(id);
  if (!node.IsMap()) {
    p.Error(node, key, "must be a map with label and keywords");
    return std::nullopt;
  }
  t.label = p.String(node["label"], key + ".label", true);
  t.title_keywords = p.StringList(node["title_keywords"], key + ".title_keywords");
  t.keywords = p.StringList(node["keywords"], key + ".keywords");
  if (node["folder"]) {
    t.folder = p.String(node["folder"], key + ".folder", true);
    if (!IsPlainFolderName(t.folder))
      p.Error(node["folder"], key + ".folder",
              "must be a plain folder name (no / \\ : * ? \" < > |, no leading dot, at most 60 "
              "bytes)");
  }
  if (t.title_keywords.empty())
    p.Error(node, key + ".title_keywords", "at least one title keyword is needed");
  if (t.id == kDicomImagesType || t.id == "other") p.Error(id, key, "'" + t.id + "' is reserved");
  return t;
}

void ParseDocumentTypes(Parser& p, const YAML::Node& root, Profile& profile) {
  const YAML::Node types = root["document_types"];
  if (!types.IsMap() || types.size() == 0) {
    p.Error(types.IsDefined() ? types : root, "document_types", "must be a non-empty map");
    return;
  }
  for (const auto& entry : types) {
    if (auto t = ParseDocumentType(p, entry.first, entry.second))
      profile.document_types.push_back(std::move(*t));
  }
}

// A requirement's `any_of:` list: document types, or {type, when}; the types must be known.
std::vector<Alternative> ParseAlternatives(Parser& p, const YAML::Node& node,
                                           const std::string& key, const Profile& profile) {
  std::vector<Alternative> alternatives;
  const YAML::Node any = node["any_of"];
  // IsDefined() first: a missing key of a const node is invalid and throws on IsSequence().
  if (!any.IsDefined() || !any.IsSequence() || any.size() == 0) {
    p.Error(any.IsDefined() ? any : node, key + ".any_of", "must be a non-empty list");
    return alternatives;
  }
  for (std::size_t j = 0; j < any.size(); ++j) {
    const std::string akey = key + ".any_of[" + std::to_string(j) + "]";
    Alternative alt;
    if (any[j].IsScalar()) {
      alt.document_type = any[j].as<std::string>();
    } else if (any[j].IsMap()) {
      alt.document_type = p.String(any[j]["type"], akey + ".type", true);
      if (any[j]["when"]) alt.when = p.ParseCondition(any[j]["when"], akey + ".when");
    } else {
      p.Error(any[j], akey, "must be a document type or {type, when}");
      continue;
    }
    const bool known = alt.document_type == kDicomImagesType ||
                       profile.FindDocumentType(alt.document_type) != nullptr;
    if (!alt.document_type.empty() && !known)
      p.Error(any[j], akey, "unknown document type '" + alt.document_type + "'");
    alternatives.push_back(std::move(alt));
  }
  return alternatives;
}

// One entry of `requirements:` (a map); `ids` collects the ids seen, to refuse a duplicate.
Requirement ParseRequirement(Parser& p, const YAML::Node& node, const std::string& key,
                             const Profile& profile, std::set<std::string>& ids) {
  Requirement r;
  r.id = p.String(node["id"], key + ".id", true);
  if (!r.id.empty() && !ids.insert(r.id).second)
    p.Error(node["id"], key + ".id", "duplicate requirement id '" + r.id + "'");
  r.label = p.String(node["label"], key + ".label", true);
  r.ask = p.String(node["ask"], key + ".ask", false);
  if (node["when"]) r.when = p.ParseCondition(node["when"], key + ".when");
  r.any_of = ParseAlternatives(p, node, key, profile);
  if (node["count"]) r.count = p.ParseCount(node["count"], key + ".count");
  static const std::set<std::string> kRequirementKeys = {"id",   "label",  "ask",
                                                         "when", "any_of", "count"};
  for (const auto& entry : node) {
    const std::string k = entry.first.as<std::string>();
    if (!kRequirementKeys.count(k)) p.Error(entry.first, key + "." + k, "unknown key");
  }
  return r;
}

void ParseRequirements(Parser& p, const YAML::Node& root, Profile& profile) {
  std::set<std::string> requirement_ids;
  const YAML::Node reqs = root["requirements"];
  if (!reqs.IsSequence() || reqs.size() == 0) {
    p.Error(reqs.IsDefined() ? reqs : root, "requirements", "must be a non-empty list");
    return;
  }
  for (std::size_t i = 0; i < reqs.size(); ++i) {
    const YAML::Node node = reqs[i];
    const std::string key = "requirements[" + std::to_string(i) + "]";
    p.Track(node);
    if (!node.IsMap()) {
      p.Error(node, key, "must be a map");
      continue;
    }
    profile.requirements.push_back(ParseRequirement(p, node, key, profile, requirement_ids));
  }
}

// `exclusions:` (optional).
void ParseExclusions(Parser& p, const YAML::Node& root, Profile& profile) {
  const YAML::Node excl = root["exclusions"];
  if (!excl.IsDefined() || excl.IsNull()) return;
  if (!excl.IsSequence()) {
    p.Error(excl, "exclusions", "must be a list");
    return;
  }
  for (std::size_t i = 0; i < excl.size(); ++i) {
    const std::string key = "exclusions[" + std::to_string(i) + "]";
    p.Track(excl[i]);
    Exclusion e;
    e.id = p.String(excl[i]["id"], key + ".id", true);
    e.label = p.String(excl[i]["label"], key + ".label", true);
    if (excl[i]["when"]) e.when = p.ParseCondition(excl[i]["when"], key + ".when");
    e.keywords = p.StringList(excl[i]["keywords"], key + ".keywords");
    e.keywords_in = p.StringList(excl[i]["keywords_in"], key + ".keywords_in");
    for (const auto& type : e.keywords_in) {
      if (!profile.FindDocumentType(type))
        p.Error(excl[i]["keywords_in"], key + ".keywords_in", "unknown document type " + type);
    }
    if (!e.when && e.keywords.empty())
      p.Error(excl[i], key, "an exclusion needs a condition (when) or keywords");
    profile.exclusions.push_back(std::move(e));
  }
}

void CheckTopLevelKeys(Parser& p, const YAML::Node& root) {
  static const std::set<std::string> kTopKeys = {"schema",         "id",           "name",
                                                 "min_confidence", "document_types", "requirements",
                                                 "exclusions",     "letter"};
  for (const auto& entry : root) {
    const std::string k = entry.first.as<std::string>();
    if (!kTopKeys.count(k)) p.Error(entry.first, k, "unknown key");
  }
}

std::optional<Profile> Parse(const std::filesystem::path& path, std::vector<ConfigError>& errors) {
  auto loaded = LoadYaml(path, errors);
  if (!loaded) return std::nullopt;
  const YAML::Node& root = loaded->root;
  Parser p(path.string());
  Profile profile;
  profile.source = path;
  profile.sha256 = Sha256Hex(loaded->bytes);
  if (!root.IsMap()) {
    p.Error(root, "", "the profile must be a YAML map");
    errors = p.errors();
    return std::nullopt;
  }
  ParseHeader(p, root, profile);
  ParseDocumentTypes(p, root, profile);  // before the requirements and exclusions that name them
  ParseRequirements(p, root, profile);
  ParseExclusions(p, root, profile);
  ParseLetter(p, root["letter"], profile.letter);
  CheckTopLevelKeys(p, root);
  errors = p.errors();
  if (!errors.empty()) return std::nullopt;
  return profile;
}

}  // namespace

const std::vector<std::string>& KnownFacts() {
  static const std::vector<std::string> kFacts = {"attendance",
                                                  "living_together",
                                                  "department",
                                                  "patient_birth_date",
                                                  "patient_age",
                                                  "diagnosis",
                                                  "patient_name",
                                                  "patient_name_kana",
                                                  "patient_sex",
                                                  "attendee_relation",
                                                  "attendee_kinship_degree",
                                                  "attending_family_count",
                                                  "lead_time_days",
                                                  "patient_deceased",
                                                  "from_abroad",
                                                  "transfer_request",
                                                  "litigation",
                                                  "physician_approval"};
  return kFacts;
}

bool IsIntegerFact(const std::string& fact) {
  return fact == "patient_age" || fact == "attendee_kinship_degree" ||
         fact == "attending_family_count" || fact == "lead_time_days";
}

const DocumentType* Profile::FindDocumentType(const std::string& type_id) const {
  auto it = std::find_if(document_types.begin(), document_types.end(),
                         [&](const DocumentType& t) { return t.id == type_id; });
  return it == document_types.end() ? nullptr : &*it;
}

std::string ConfigError::ToString() const {
  // Appended piece by piece: `":" + std::to_string(line)` makes GCC 12 at -O3 warn of an
  // overlapping memcpy inside the temporary's insert (a false positive, GCC bug 105329), and the
  // appends also build no temporaries.
  std::string out = file;
  if (line > 0) {
    out += ':';
    out += std::to_string(line);
  }
  out += ": ";
  if (!key.empty()) {
    out += key;
    out += ": ";
  }
  out += message;
  return out;
}

namespace {

// Parse() checks node types before it reads them, but yaml-cpp can still throw on structures it
// builds oddly (found by fuzz/fuzz_profile): any such throw is one more error, never a crash.
std::optional<Profile> ParseGuarded(const std::filesystem::path& path,
                                    std::vector<ConfigError>& errors) {
  try {
    return Parse(path, errors);
  } catch (const YAML::Exception& e) {
    errors.push_back({path.string(), e.mark.is_null() ? 0 : e.mark.line + 1, "",
                      "unexpected YAML structure: " + e.msg});
    return std::nullopt;
  }
}

}  // namespace

std::vector<ConfigError> ValidateProfileFile(const std::filesystem::path& path) {
  std::vector<ConfigError> errors;
  ParseGuarded(path, errors);
  return errors;
}

Result<Profile> LoadProfile(const std::filesystem::path& path) {
  std::vector<ConfigError> errors;
  auto profile = ParseGuarded(path, errors);
  if (profile) return std::move(*profile);
  std::string message = "invalid profile:";
  for (std::size_t i = 0; i < errors.size() && i < 5; ++i) message += "\n  " + errors[i].ToString();
  if (errors.size() > 5) message += "\n  ... (" + std::to_string(errors.size() - 5) + " more)";
  return Result<Profile>::Fail(message);
}

std::filesystem::path DefaultProfilePath() {
  const std::filesystem::path installed =
      std::filesystem::path(INTAKE_INSTALLED_PROFILES_DIR) / "utokyo-online.yaml";
  const std::filesystem::path source =
      std::filesystem::path(INTAKE_PROFILES_DIR) / "utokyo-online.yaml";
  if (std::filesystem::exists(source)) return source;
  return installed;
}

}  // namespace intake::config
