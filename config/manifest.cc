#include "config/manifest.h"

#include <yaml-cpp/yaml.h>

namespace intake::config {
namespace {

template <typename T>
std::optional<T> Decoded(const YAML::Node& scalar) {
  T value{};
  if (!YAML::convert<T>::decode(scalar, value)) return std::nullopt;
  return value;
}

Manifest FromYaml(const YAML::Node& root) {
  Manifest manifest;
  // IsMap() before the subscript: root["facts"] throws on a scalar (found by fuzz/fuzz_manifest).
  if (!root.IsMap()) {
    manifest.shape_ok = false;
    return manifest;
  }
  const YAML::Node id = root["case"];
  if (id && id.IsScalar()) manifest.case_id = id.as<std::string>();
  const YAML::Node facts = root["facts"];
  if (!facts) return manifest;
  if (!facts.IsMap()) {
    manifest.shape_ok = false;
    return manifest;
  }
  for (const auto& entry : facts) {
    if (!entry.first.IsScalar() || !entry.second.IsScalar()) continue;  // a list or map
    manifest.facts.push_back({entry.first.as<std::string>(), entry.second.as<std::string>(),
                              Decoded<bool>(entry.second), Decoded<std::int64_t>(entry.second)});
  }
  return manifest;
}

}  // namespace

Result<Manifest> ReadManifest(const std::filesystem::path& path) {
  // yaml-cpp throws on a file it cannot open or parse, and can throw on structures it builds
  // oddly: every throw is an error, never a crash.
  try {
    return FromYaml(YAML::LoadFile(path.string()));
  } catch (const YAML::Exception& e) {
    std::string message = "manifest could not be read as YAML or JSON";  // e.msg may quote it
    if (!e.mark.is_null()) message += " (line " + std::to_string(e.mark.line + 1) + ")";
    return Error{std::move(message), ErrorCode::kInvalid};
  }
}

}  // namespace intake::config
