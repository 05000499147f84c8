#include "stages/identify.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <memory>
#include <string_view>

#include "dicom/dicom_reader.h"
#include "filetype/mime_type.h"

namespace intake::stages {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return s;
}

// "DICM" at offset 128 is definitive. It is checked before libmagic because a DICOM preamble may
// itself hold a TIFF header (dual-personality files), which libmagic reports as image/tiff.
bool HasDicmMarker(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::array<char, 132> head{};
  in.read(head.data(), head.size());
  return in.gcount() == 132 && std::string_view(head.data() + 128, 4) == "DICM";
}

// A DICOMDIR's meta header names the Media Storage Directory Storage SOP class.
bool MetaNamesDicomdir(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::array<char, 512> buf{};
  in.read(buf.data(), buf.size());
  const std::string_view head(buf.data(), static_cast<std::size_t>(in.gcount()));
  return head.find("1.2.840.10008.1.3.10") != std::string_view::npos;
}

constexpr std::array<std::string_view, 12> kArchiveMimes{"application/zip",
                                                         "application/x-7z-compressed",
                                                         "application/x-tar",
                                                         "application/gzip",
                                                         "application/x-gzip",
                                                         "application/x-bzip2",
                                                         "application/x-xz",
                                                         "application/zstd",
                                                         "application/x-iso9660-image",
                                                         "application/x-rar",
                                                         "application/vnd.rar",
                                                         "application/x-lzip"};

}  // namespace

Identified IdentifyFile(const std::filesystem::path& path, bool top_level) {
  Identified id;
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size == 0) {
    id.kind = FileKind::kEmpty;
    id.mime = "application/x-empty";
    return id;
  }
  const std::string name = Lower(path.filename().string());
  if (top_level && (name == "intake.yaml" || name == "intake.yml" || name == "intake.json")) {
    id.kind = FileKind::kManifest;
    id.mime = name.ends_with(".json") ? "application/json" : "application/yaml";
    return id;
  }
  if (HasDicmMarker(path)) {
    id.kind = MetaNamesDicomdir(path) ? FileKind::kDicomdir : FileKind::kDicom;
    id.mime = "application/dicom";
    return id;
  }
  id.mime = filetype::MimeTypeOf(path);
  const std::string_view mime = id.mime;
  if (mime == "application/pdf") {
    id.kind = FileKind::kPdf;
  } else if (mime == "image/tiff") {
    id.kind = FileKind::kTiff;
  } else if (mime == "image/jpeg") {
    id.kind = FileKind::kJpeg;
  } else if (mime == "image/png") {
    id.kind = FileKind::kPng;
  } else if (mime == "image/bmp" || mime == "image/x-ms-bmp") {
    id.kind = FileKind::kBmp;
  } else if (mime == "image/gif") {
    id.kind = FileKind::kGif;
  } else if (mime == "image/heic" || mime == "image/heif" || mime == "image/avif" ||
             mime == "image/heic-sequence" || mime == "image/heif-sequence") {
    id.kind = FileKind::kHeif;
  } else if (mime == "image/webp") {
    id.kind = FileKind::kWebp;
  } else if (mime == "image/jp2" || mime == "image/jpx" || mime == "image/x-jp2-codestream") {
    id.kind = FileKind::kJpeg2000;
  } else if (mime == "image/x-portable-greymap" || mime == "image/x-portable-pixmap" ||
             mime == "image/x-portable-bitmap") {
    id.kind = FileKind::kPnm;
  } else if (std::find(kArchiveMimes.begin(), kArchiveMimes.end(), mime) != kArchiveMimes.end()) {
    id.kind = FileKind::kArchive;
  } else if (mime == "application/dicom" || dicom::LooksLikeDicom(path)) {
    id.kind = MetaNamesDicomdir(path) ? FileKind::kDicomdir : FileKind::kDicom;
    id.mime = "application/dicom";
  } else if (mime == "application/x-dosexec" || mime == "application/x-executable" ||
             mime == "application/x-sharedlib" || mime == "application/x-mach-binary" ||
             mime == "application/x-pie-executable" || name == "autorun.inf") {
    id.kind = FileKind::kExecutable;
  } else if (mime.starts_with("text/")) {
    id.kind = FileKind::kText;
  }
  return id;
}

}  // namespace intake::stages
