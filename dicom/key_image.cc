#include "dicom/key_image.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <system_error>

// dcmimage's plugin headers need dcmimgle's declarations first.
// clang-format off
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmimgle/dcmimage.h"
#include "dcmtk/dcmimage/dipipng.h"
#include "dcmtk/dcmimage/diregist.h"  // color images (RGB, YBR, palette) in DicomImage
// clang-format on
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dicom/codecs.h"
#include "dicom/dicom_reader.h"
#include "dicom/tag_stream.h"

namespace intake::dicom {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f != nullptr) std::fclose(f);
  }
};

Result<KeyImageSize> Render(const std::filesystem::path& dicom_file, int frame,
                            const std::filesystem::path& png, int max_side) {
  QuietDcmtkLogging();
  RegisterDcmtkCodecs();
  if (frame < 0) frame = 0;
  if (Status depth = CheckSequenceDepth(dicom_file); !depth.ok()) {
    return Result<KeyImageSize>::Fail(depth.message());
  }
  std::unique_ptr<DicomImage> decoded;
  DcmFileFormat jpeg2000;  // the file with its frames decoded by OpenJPEG, for DicomImage
  if (const auto header = ReadHeader(dicom_file);
      header.ok() && IsJpeg2000(header->transfer_syntax_uid)) {
    if (jpeg2000.loadFile(OFFilename(dicom_file.c_str())).bad()) {
      return Result<KeyImageSize>::Fail("pixels not decoded: file could not be read");
    }
    if (Status s = DecodeJpeg2000(*jpeg2000.getDataset()); !s.ok()) {
      return Result<KeyImageSize>::Fail("pixels not decoded: " + s.message());
    }
    decoded = std::make_unique<DicomImage>(jpeg2000.getDataset(), EXS_LittleEndianExplicit,
                                           CIF_UsePartialAccessToPixelData,
                                           static_cast<unsigned long>(frame), 1);
  } else {
    // Partial access decodes the one frame asked for, not the whole multi-frame object.
    decoded = std::make_unique<DicomImage>(dicom_file.c_str(), CIF_UsePartialAccessToPixelData,
                                           static_cast<unsigned long>(frame), 1);
  }
  DicomImage& image = *decoded;
  if (image.getStatus() != EIS_Normal) {
    return Result<KeyImageSize>::Fail(std::string("pixels not decoded: ") +
                                      DicomImage::getString(image.getStatus()));
  }
  if (image.isMonochrome()) {
    if (image.getWindowCount() > 0) {
      image.setWindow(0);
    } else if (image.getVoiLutCount() > 0) {
      image.setVoiLut(0);
    } else {
      image.setMinMaxWindow(1);  // ignoring the extreme values (padding around the body)
    }
  }
  const unsigned long width = image.getWidth();
  const unsigned long height = image.getHeight();
  if (width == 0 || height == 0) return Result<KeyImageSize>::Fail("image without pixels");
  const unsigned long longer = std::max(width, height);
  std::unique_ptr<DicomImage> scaled;
  if (longer > static_cast<unsigned long>(max_side)) {
    const double factor = static_cast<double>(max_side) / static_cast<double>(longer);
    scaled.reset(image.createScaledImage(factor, factor, /*interpolate=*/1));
    if (scaled == nullptr || scaled->getStatus() != EIS_Normal) {
      return Result<KeyImageSize>::Fail("image could not be scaled");
    }
  }
  DicomImage& out = scaled ? *scaled : image;

  DiPNGPlugin plugin;
  plugin.setInterlaceType(E_pngInterlaceNone);
  plugin.setMetainfoType(E_pngNoMetainfo);
  plugin.setBitsPerSample(8);
  std::unique_ptr<std::FILE, FileCloser> stream(std::fopen(png.c_str(), "wb"));
  if (!stream) return Result<KeyImageSize>::Fail("key image could not be created");
  const int written = out.writePluginFormat(&plugin, stream.get(), 0);
  const bool closed = std::fclose(stream.release()) == 0;
  if (!written || !closed) {
    std::error_code ec;
    std::filesystem::remove(png, ec);
    return Result<KeyImageSize>::Fail("key image could not be rendered or written");
  }
  return KeyImageSize{static_cast<int>(out.getWidth()), static_cast<int>(out.getHeight())};
}

}  // namespace

Result<KeyImageSize> WriteKeyImage(const std::filesystem::path& dicom_file, int frame,
                                   const std::filesystem::path& png, int max_side) {
  try {
    return Render(dicom_file, frame, png, max_side);
  } catch (const std::bad_alloc&) {
    return Result<KeyImageSize>::Fail("image too large to decode");
  } catch (...) {
    return Result<KeyImageSize>::Fail("unexpected error while decoding an image");
  }
}

}  // namespace intake::dicom
