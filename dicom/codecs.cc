#include "dicom/codecs.h"

#include <openjpeg.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>

#include "dcmtk/config/osconfig.h"  // must come first among the DCMTK headers
#include "dcmtk/dcmdata/dcdatset.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcpixel.h"
#include "dcmtk/dcmdata/dcpixseq.h"
#include "dcmtk/dcmdata/dcpxitem.h"
#include "dcmtk/dcmdata/dcrledrg.h"
#include "dcmtk/dcmdata/dcrleerg.h"
#include "dcmtk/dcmdata/dcxfer.h"
#include "dcmtk/dcmjpeg/djdecode.h"
#include "dcmtk/dcmjpeg/djencode.h"
#include "dcmtk/dcmjpls/djdecode.h"

namespace intake::dicom {
namespace {

// OpenJPEG reads and writes through callbacks; these serve a byte buffer in memory.
struct MemoryStream {
  std::vector<unsigned char> bytes;
  std::size_t pos = 0;
};

OPJ_SIZE_T ReadBytes(void* buffer, OPJ_SIZE_T count, void* user) {
  auto* s = static_cast<MemoryStream*>(user);
  if (s->pos >= s->bytes.size()) return static_cast<OPJ_SIZE_T>(-1);
  const std::size_t n = std::min<std::size_t>(count, s->bytes.size() - s->pos);
  std::memcpy(buffer, s->bytes.data() + s->pos, n);
  s->pos += n;
  return n;
}

OPJ_SIZE_T WriteBytes(void* buffer, OPJ_SIZE_T count, void* user) {
  auto* s = static_cast<MemoryStream*>(user);
  const auto* in = static_cast<const unsigned char*>(buffer);
  if (s->pos + count > s->bytes.size()) s->bytes.resize(s->pos + count);
  std::memcpy(s->bytes.data() + s->pos, in, count);
  s->pos += count;
  return count;
}

OPJ_OFF_T SkipBytes(OPJ_OFF_T count, void* user) {
  auto* s = static_cast<MemoryStream*>(user);
  const auto target = static_cast<OPJ_OFF_T>(s->pos) + count;
  if (target < 0) return -1;
  s->pos = static_cast<std::size_t>(target);
  return count;
}

OPJ_BOOL SeekBytes(OPJ_OFF_T offset, void* user) {
  auto* s = static_cast<MemoryStream*>(user);
  if (offset < 0) return OPJ_FALSE;
  s->pos = static_cast<std::size_t>(offset);
  return OPJ_TRUE;
}

void IgnoreMessage(const char*, void*) {}  // OpenJPEG's messages stay out of our logs

struct CodecDeleter {
  void operator()(opj_codec_t* c) const { opj_destroy_codec(c); }
};
struct StreamDeleter {
  void operator()(opj_stream_t* s) const { opj_stream_destroy(s); }
};
struct ImageDeleter {
  void operator()(opj_image_t* i) const { opj_image_destroy(i); }
};
using CodecPtr = std::unique_ptr<opj_codec_t, CodecDeleter>;
using StreamPtr = std::unique_ptr<opj_stream_t, StreamDeleter>;
using ImagePtr = std::unique_ptr<opj_image_t, ImageDeleter>;

StreamPtr MakeStream(MemoryStream& memory, bool input) {
  StreamPtr stream(opj_stream_default_create(input ? OPJ_TRUE : OPJ_FALSE));
  if (!stream) return stream;
  opj_stream_set_user_data(stream.get(), &memory, nullptr);
  if (input) {
    opj_stream_set_user_data_length(stream.get(), memory.bytes.size());
    opj_stream_set_read_function(stream.get(), ReadBytes);
  } else {
    opj_stream_set_write_function(stream.get(), WriteBytes);
  }
  opj_stream_set_skip_function(stream.get(), SkipBytes);
  opj_stream_set_seek_function(stream.get(), SeekBytes);
  return stream;
}

void Quiet(opj_codec_t* codec) {
  opj_set_info_handler(codec, IgnoreMessage, nullptr);
  opj_set_warning_handler(codec, IgnoreMessage, nullptr);
  opj_set_error_handler(codec, IgnoreMessage, nullptr);
}

// Decoded pixels of one dataset at most (a hostile header must not make us allocate more).
constexpr std::uint64_t kMaxDecodedBytes = 1ull << 30;

Result<ImagePtr> DecodeCodestream(MemoryStream memory, unsigned rows, unsigned columns) {
  static constexpr unsigned char kJp2Signature[] = {0, 0, 0, 0x0c, 'j', 'P', ' ', ' '};
  const bool jp2 = memory.bytes.size() >= sizeof kJp2Signature &&
                   std::memcmp(memory.bytes.data(), kJp2Signature, sizeof kJp2Signature) == 0;
  CodecPtr codec(opj_create_decompress(jp2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K));
  StreamPtr stream = MakeStream(memory, /*input=*/true);
  if (!codec || !stream) return Result<ImagePtr>::Fail("JPEG 2000 decoder could not start");
  Quiet(codec.get());
  opj_dparameters_t parameters;
  opj_set_default_decoder_parameters(&parameters);
  opj_image_t* raw = nullptr;
  if (!opj_setup_decoder(codec.get(), &parameters) ||
      !opj_read_header(stream.get(), codec.get(), &raw)) {
    if (raw != nullptr) opj_image_destroy(raw);
    return Result<ImagePtr>::Fail("JPEG 2000 header could not be read");
  }
  ImagePtr image(raw);
  if (image->x1 - image->x0 != columns || image->y1 - image->y0 != rows) {
    return Result<ImagePtr>::Fail("JPEG 2000 frame size differs from Rows/Columns");
  }
  if (!opj_decode(codec.get(), stream.get(), image.get()) ||
      !opj_end_decompress(codec.get(), stream.get())) {
    return Result<ImagePtr>::Fail("JPEG 2000 frame could not be decoded");
  }
  return image;
}

// The codestream of each frame: one fragment per frame, or all fragments of a single frame.
Result<std::vector<MemoryStream>> Frames(DcmPixelSequence& sequence, long frames) {
  const unsigned long items = sequence.card();  // item 0 is the Basic Offset Table
  if (items < 2) return Result<std::vector<MemoryStream>>::Fail("no JPEG 2000 fragment");
  const unsigned long fragments = items - 1;
  if (frames != 1 && static_cast<unsigned long>(frames) != fragments) {
    return Result<std::vector<MemoryStream>>::Fail("JPEG 2000 frames split over fragments");
  }
  std::vector<MemoryStream> out(static_cast<std::size_t>(frames));
  for (unsigned long i = 1; i < items; ++i) {
    DcmPixelItem* item = nullptr;
    Uint8* data = nullptr;
    if (sequence.getItem(item, i).bad() || item->getUint8Array(data).bad()) {
      return Result<std::vector<MemoryStream>>::Fail("JPEG 2000 fragment could not be read");
    }
    MemoryStream& frame = out[frames == 1 ? 0 : i - 1];
    if (data != nullptr) frame.bytes.insert(frame.bytes.end(), data, data + item->getLength());
  }
  return out;
}

// Appends `image` to `pixels` as native DICOM samples (interleaved when several components).
Status AppendNative(const opj_image_t& image, int bytes_per_sample, std::vector<Uint8>& pixels,
                    unsigned long rows, unsigned long columns) {
  const OPJ_UINT32 components = image.numcomps;
  if (components != 1 && components != 3) return Status::Fail("JPEG 2000 components unsupported");
  for (OPJ_UINT32 c = 0; c < components; ++c) {
    const opj_image_comp_t& comp = image.comps[c];
    if (comp.w != columns || comp.h != rows || comp.data == nullptr) {
      return Status::Fail("JPEG 2000 frame size differs from Rows/Columns");
    }
  }
  const std::size_t count = static_cast<std::size_t>(rows) * columns;
  for (std::size_t p = 0; p < count; ++p) {
    for (OPJ_UINT32 c = 0; c < components; ++c) {
      const auto value = static_cast<Uint16>(image.comps[c].data[p]);  // two's complement kept
      pixels.push_back(static_cast<Uint8>(value & 0xff));
      if (bytes_per_sample == 2) pixels.push_back(static_cast<Uint8>(value >> 8));
    }
  }
  return Status::Ok();
}

}  // namespace

void RegisterDcmtkCodecs() {
  static std::once_flag once;
  std::call_once(once, [] {
    DJDecoderRegistration::registerCodecs();    // JPEG (baseline, extended, lossless)
    DJLSDecoderRegistration::registerCodecs();  // JPEG-LS
    DcmRLEDecoderRegistration::registerCodecs();
    DJEncoderRegistration::registerCodecs();  // for the synthetic series
    DcmRLEEncoderRegistration::registerCodecs();
  });
}

bool IsJpeg2000(std::string_view uid) {
  return uid == "1.2.840.10008.1.2.4.90" || uid == "1.2.840.10008.1.2.4.91";
}

Status DecodeJpeg2000(DcmDataset& dataset) {
  const E_TransferSyntax xfer = dataset.getOriginalXfer();
  if (!IsJpeg2000(DcmXfer(xfer).getXferID())) return Status::Fail("not a JPEG 2000 dataset");
  DcmElement* element = nullptr;
  if (dataset.findAndGetElement(DCM_PixelData, element).bad() || element == nullptr ||
      element->ident() != EVR_PixelData) {
    return Status::Fail("no pixel data");
  }
  DcmPixelSequence* sequence = nullptr;
  if (static_cast<DcmPixelData*>(element)
          ->getEncapsulatedRepresentation(xfer, nullptr, sequence)
          .bad() ||
      sequence == nullptr) {
    return Status::Fail("JPEG 2000 pixel data not encapsulated");
  }
  Uint16 rows = 0, columns = 0, bits_allocated = 0, samples = 1;
  long frames = 1;
  (void)dataset.findAndGetUint16(DCM_Rows, rows);
  (void)dataset.findAndGetUint16(DCM_Columns, columns);
  (void)dataset.findAndGetUint16(DCM_BitsAllocated, bits_allocated);
  (void)dataset.findAndGetUint16(DCM_SamplesPerPixel, samples);
  Sint32 frame_count = 1;
  if (dataset.findAndGetSint32(DCM_NumberOfFrames, frame_count).good() && frame_count > 1) {
    frames = frame_count;
  }
  if (rows == 0 || columns == 0 || (bits_allocated != 8 && bits_allocated != 16)) {
    return Status::Fail("JPEG 2000 image attributes unsupported");
  }
  const std::uint64_t decoded_bytes =
      std::uint64_t{rows} * columns * static_cast<std::uint64_t>(frames) * 3 * (bits_allocated / 8);
  if (decoded_bytes > kMaxDecodedBytes) return Status::Fail("JPEG 2000 image too large to decode");
  auto codestreams = Frames(*sequence, frames);
  RETURN_IF_ERROR(codestreams);
  std::vector<Uint8> pixels;
  int components = 1;
  for (MemoryStream& codestream : *codestreams) {
    auto image = DecodeCodestream(std::move(codestream), rows, columns);
    RETURN_IF_ERROR(image);
    components = static_cast<int>((*image)->numcomps);
    if (components != samples) return Status::Fail("JPEG 2000 components differ from the header");
    if (Status s = AppendNative(**image, bits_allocated / 8, pixels, rows, columns); !s.ok()) {
      return s;
    }
  }
  if (pixels.size() % 2 != 0) pixels.push_back(0);
  OFCondition put = bits_allocated == 16
                        ? dataset.putAndInsertUint16Array(
                              DCM_PixelData, reinterpret_cast<const Uint16*>(pixels.data()),
                              static_cast<unsigned long>(pixels.size() / 2))
                        : dataset.putAndInsertUint8Array(DCM_PixelData, pixels.data(),
                                                         static_cast<unsigned long>(pixels.size()));
  if (put.bad()) return Status::Fail("decoded pixels could not be stored");
  if (components == 3) {
    (void)dataset.putAndInsertString(DCM_PhotometricInterpretation, "RGB");
    (void)dataset.putAndInsertUint16(DCM_PlanarConfiguration, 0);
  }
  return Status::Ok();
}

Result<std::vector<unsigned char>> EncodeJpeg2000Lossless(const std::vector<unsigned short>& pixels,
                                                          int rows, int columns, int bits_stored) {
  using Bytes = std::vector<unsigned char>;
  opj_image_cmptparm_t component{};
  component.dx = component.dy = 1;
  component.w = static_cast<OPJ_UINT32>(columns);
  component.h = static_cast<OPJ_UINT32>(rows);
  component.prec = static_cast<OPJ_UINT32>(bits_stored);
  component.sgnd = 0;
  ImagePtr image(opj_image_create(1, &component, OPJ_CLRSPC_GRAY));
  if (!image) return Result<Bytes>::Fail("JPEG 2000 image could not be made");
  image->x1 = component.w;
  image->y1 = component.h;
  std::copy(pixels.begin(), pixels.end(), image->comps[0].data);

  opj_cparameters_t parameters;
  opj_set_default_encoder_parameters(&parameters);
  parameters.tcp_numlayers = 1;
  parameters.tcp_rates[0] = 0;  // lossless
  parameters.cp_disto_alloc = 1;
  parameters.irreversible = 0;
  CodecPtr codec(opj_create_compress(OPJ_CODEC_J2K));
  MemoryStream memory;
  StreamPtr stream = MakeStream(memory, /*input=*/false);
  if (!codec || !stream) return Result<Bytes>::Fail("JPEG 2000 encoder could not start");
  Quiet(codec.get());
  if (!opj_setup_encoder(codec.get(), &parameters, image.get()) ||
      !opj_start_compress(codec.get(), image.get(), stream.get()) ||
      !opj_encode(codec.get(), stream.get()) || !opj_end_compress(codec.get(), stream.get())) {
    return Result<Bytes>::Fail("JPEG 2000 encoding failed");
  }
  stream.reset();
  return std::move(memory.bytes);
}

}  // namespace intake::dicom
