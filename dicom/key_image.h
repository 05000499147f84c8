// Key images: one frame of one DICOM instance rendered to a small 8-bit PNG for the report.
//
// DCMTK's dcmimage decodes the pixels (native, deflate, JPEG, JPEG-LS and RLE codecs registered
// here; JPEG 2000 decoded with OpenJPEG first), applies the file's first VOI window (else a
// min-max window) and scales the image so its longer side is at most `max_side` pixels. The PNG
// holds pixels only: no text, no metadata.
// Thread-compatible: one call at a time per image; codec registration is done once.
#pragma once

#include <filesystem>

#include "pipeline/result.h"

namespace intake::dicom {

struct KeyImageSize {
  int width = 0;
  int height = 0;
};

// Renders frame `frame` (0-based) of `dicom_file` to `png`. Fails (message without file
// content) when the pixels cannot be decoded or the PNG cannot be written; `png` is then absent.
Result<KeyImageSize> WriteKeyImage(const std::filesystem::path& dicom_file, int frame,
                                   const std::filesystem::path& png, int max_side = 512);

}  // namespace intake::dicom
