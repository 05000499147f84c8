// DICOM stage: reads the header of every DICOM file and groups them patient / study / series by
// UIDs (never by folder names), then looks at each disc as a whole.
//
// Per file: unreadable headers and files named .dcm that are something else are DICOM_UNREADABLE,
// files cut short are CORRUPT_FILE; the case goes on. Per series: transfer syntax, lossy flag,
// whether the pixels can be decoded here, and a key image (the middle instance, default window,
// PNG at most 512 px) in `<case_dir>/key_images/<n>.png`, which stages/case_folder later moves
// into the series' folder of the physician's case folder. Encapsulated PDF instances are
// extracted to the work area as new PDF files for the pages stage (so this stage runs before
// it). Per disc: each DICOMDIR is checked against the files of its own folder tree
// (DICOMDIR_MISMATCH); viewer software and autorun.inf are noted (VIEWER_SOFTWARE), never run.
#pragma once

#include <filesystem>
#include <memory>

#include "pipeline/stage.h"

namespace intake::stages {

struct DicomStageOptions {
  // The case folder: key images go to `case_dir / "key_images"`. Empty: no key images.
  std::filesystem::path case_dir;
  int key_image_max_side = 512;
};

std::unique_ptr<Stage> MakeDicomStage(DicomStageOptions options = {});

}  // namespace intake::stages
