// A file's MIME type from its content (libmagic), never from its name. Thread-safe.
#pragma once

#include <filesystem>
#include <string>

namespace intake::filetype {

// The MIME type libmagic gives the file's content ("application/pdf"); empty when libmagic
// cannot be loaded or cannot read the file. Compressed files are not looked into:
// "application/gzip", not what the gzip holds.
std::string MimeTypeOf(const std::filesystem::path& path);

}  // namespace intake::filetype
