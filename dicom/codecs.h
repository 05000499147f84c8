// Pixel codecs of the DICOM adapter (internal to dicom/: DCMTK types allowed here only).
//
// DCMTK's own decoders (JPEG, JPEG-LS, RLE) are registered once per process. JPEG 2000, which
// Debian's DCMTK 3.6.7 cannot decode, is decoded and encoded with OpenJPEG (libopenjp2): the
// encapsulated frames of a dataset are replaced by native pixel data in memory, so DicomImage
// and DcmSCU can work with the dataset as with any uncompressed one.
#pragma once

#include <string_view>
#include <vector>

#include "pipeline/result.h"

class DcmDataset;

namespace intake::dicom {

// DCMTK's decoders (and, for the synthetic series, encoders). Idempotent, thread-safe.
void RegisterDcmtkCodecs();

// True for the JPEG 2000 transfer syntaxes OpenJPEG decodes here (Part 1, lossless and lossy).
bool IsJpeg2000(std::string_view transfer_syntax_uid);

// Replaces the encapsulated JPEG 2000 Pixel Data of `dataset` by native pixel data (every
// frame; colour becomes RGB). The dataset must have been read in a JPEG 2000 transfer syntax.
Status DecodeJpeg2000(DcmDataset& dataset);

// One JPEG 2000 codestream (lossless, reversible 5/3) of a 16-bit monochrome frame whose
// values use `bits_stored` bits; for the synthetic series.
Result<std::vector<unsigned char>> EncodeJpeg2000Lossless(const std::vector<unsigned short>& pixels,
                                                          int rows, int columns, int bits_stored);

}  // namespace intake::dicom
