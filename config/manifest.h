// The staff manifest: intake.yaml or intake.json at a submission's top level, keyed in by the
// office (facts that win over the documents, and `case: ID` for a follow-up envelope). Read with
// yaml-cpp (JSON is YAML) into plain values; what the facts mean is the facts stage's business.
//
//   case: 20261121-0a1b2c3d
//   facts:
//     patient_age: 54
//     living_together: yes
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/result.h"

namespace intake::config {

// One entry under `facts:`: its scalar value as written, and as YAML reads it as a boolean
// (true/false, yes/no, on/off) or an integer, where it reads as one.
struct ManifestFact {
  std::string name;
  std::string text;
  std::optional<bool> boolean;
  std::optional<std::int64_t> integer;
};

struct Manifest {
  // False when the top level or `facts:` is not a map: then `facts` is empty.
  bool shape_ok = true;
  std::string case_id;  // `case:` when it is a scalar (not checked here)
  // The entries of `facts:` whose name and value are both scalars, in the file's order.
  std::vector<ManifestFact> facts;
};

// The manifest at `path`; an error (kInvalid) when it cannot be read or is no YAML (or JSON).
Result<Manifest> ReadManifest(const std::filesystem::path& path);

}  // namespace intake::config
