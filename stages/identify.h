// File identification by content (libmagic's MIME type, filetype/, plus DICOM sniffing), never by
// extension.
#pragma once

#include <filesystem>
#include <string>

#include "pipeline/case_model.h"

namespace intake::stages {

struct Identified {
  FileKind kind = FileKind::kUnknown;
  std::string mime;
};

// Thread-safe. `name` is only used for the manifest (intake.yaml / intake.json at top level)
// and DICOMDIR, whose content alone does not say what they are for.
Identified IdentifyFile(const std::filesystem::path& path, bool top_level);

}  // namespace intake::stages
