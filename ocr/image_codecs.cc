#include "ocr/image_codecs.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <leptonica/allheaders.h>
#include <libheif/heif.h>
#include <setjmp.h>
// clang-format off
#include <cstdio>  // jpeglib.h needs FILE first
#include <jpeglib.h>
#include <jerror.h>
// clang-format on

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "ocr/jpeg_gray.h"

namespace intake::ocr {
namespace {

struct HeifContextDeleter {
  void operator()(heif_context* c) const { heif_context_free(c); }
};
struct HeifHandleDeleter {
  void operator()(heif_image_handle* h) const { heif_image_handle_release(h); }
};
struct HeifImageDeleter {
  void operator()(heif_image* i) const { heif_image_release(i); }
};
using HeifContext = std::unique_ptr<heif_context, HeifContextDeleter>;
using HeifHandle = std::unique_ptr<heif_image_handle, HeifHandleDeleter>;
using HeifImage = std::unique_ptr<heif_image, HeifImageDeleter>;

// The primary image's handle; the context must outlive it.
Result<HeifHandle> PrimaryImage(const std::filesystem::path& path, HeifContext& context) {
  static std::once_flag once;
  std::call_once(once, [] { heif_init(nullptr); });  // loads the decoders; kept for the process
  context.reset(heif_context_alloc());
  if (!context) return Result<HeifHandle>::Fail("HEIF decoder could not be started");
  heif_context_set_maximum_image_size_limit(context.get(), kMaxImageSide);
  if (heif_context_read_from_file(context.get(), path.c_str(), nullptr).code != heif_error_Ok) {
    return Result<HeifHandle>::Fail("HEIF file could not be read");
  }
  heif_image_handle* handle = nullptr;
  if (heif_context_get_primary_image_handle(context.get(), &handle).code != heif_error_Ok ||
      handle == nullptr) {
    return Result<HeifHandle>::Fail("HEIF file has no primary image");
  }
  return HeifHandle(handle);
}

std::uint32_t Le32(const unsigned char* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (std::uint32_t{p[3]} << 24);
}

}  // namespace

bool IsHeif(const std::filesystem::path& path) {
  std::array<unsigned char, 32> head{};
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(head.data()), head.size());
  const auto n = static_cast<int>(in.gcount());
  if (n < 12 || std::string_view(reinterpret_cast<const char*>(head.data()) + 4, 4) != "ftyp") {
    return false;
  }
  const heif_filetype_result type = heif_check_filetype(head.data(), n);
  return type == heif_filetype_yes_supported;
}

Result<ImageHeader> ReadHeifHeader(const std::filesystem::path& path) {
  HeifContext context;
  auto handle = PrimaryImage(path, context);
  if (!handle.ok()) return Error{handle.message()};
  ImageHeader header;
  header.format = ImageFormat::kHeif;
  header.width = heif_image_handle_get_width(handle->get());
  header.height = heif_image_handle_get_height(handle->get());
  header.bits_per_sample = 8;
  header.samples_per_pixel = 3;
  return header;
}

Result<PixPtr> DecodeHeif(const std::filesystem::path& path) {
  using R = Result<PixPtr>;
  HeifContext context;
  auto handle = PrimaryImage(path, context);
  if (!handle.ok()) return Error{handle.message()};
  const int width = heif_image_handle_get_width(handle->get());
  const int height = heif_image_handle_get_height(handle->get());
  if (Status size = CheckImageSize(width, height); !size.ok()) return Error{size.message()};
  heif_image* raw = nullptr;
  // Default options apply the file's rotation and mirroring (irot, imir): upright as shown.
  if (heif_decode_image(handle->get(), &raw, heif_colorspace_RGB, heif_chroma_interleaved_RGB,
                        nullptr)
              .code != heif_error_Ok ||
      raw == nullptr) {
    return R::Fail("HEIF image could not be decoded");
  }
  HeifImage image(raw);
  int stride = 0;
  const std::uint8_t* rgb =
      heif_image_get_plane_readonly(image.get(), heif_channel_interleaved, &stride);
  const int w = heif_image_get_width(image.get(), heif_channel_interleaved);
  const int h = heif_image_get_height(image.get(), heif_channel_interleaved);
  if (rgb == nullptr || w <= 0 || h <= 0) return R::Fail("HEIF image has no pixels");
  PixPtr pix(pixCreate(w, h, 32));
  if (!pix) return R::Fail("image could not be allocated");
  l_uint32* data = pixGetData(pix.get());
  const int wpl = pixGetWpl(pix.get());
  for (int y = 0; y < h; ++y) {
    const std::uint8_t* row = rgb + static_cast<std::ptrdiff_t>(y) * stride;
    l_uint32* line = data + static_cast<std::ptrdiff_t>(y) * wpl;
    for (int x = 0; x < w; ++x)
      composeRGBPixel(row[3 * x], row[3 * x + 1], row[3 * x + 2], line + x);
  }
  return pix;
}

Result<ImageHeader> ReadBmpHeader(const std::filesystem::path& path) {
  std::array<unsigned char, 30> b{};
  std::ifstream in(path, std::ios::binary);
  if (!in.read(reinterpret_cast<char*>(b.data()), b.size()) || b[0] != 'B' || b[1] != 'M') {
    return Result<ImageHeader>::Fail("BMP header is truncated");
  }
  ImageHeader header;
  header.format = ImageFormat::kBmp;
  if (Le32(&b[14]) == 12) {  // OS/2 BITMAPCOREHEADER: 16-bit sizes
    header.width = b[18] | (b[19] << 8);
    header.height = b[20] | (b[21] << 8);
    header.bits_per_sample = b[24] | (b[25] << 8);
  } else {
    header.width = static_cast<std::int32_t>(Le32(&b[18]));
    const auto h = static_cast<std::int32_t>(Le32(&b[22]));
    header.height = h == INT32_MIN ? 0 : (h < 0 ? -h : h);  // negative: rows top-down
    header.bits_per_sample = b[28] | (b[29] << 8);
  }
  header.samples_per_pixel = header.bits_per_sample > 8 ? 3 : 1;
  if (header.bits_per_sample > 8) header.bits_per_sample = 8;
  return header;
}

Result<PixPtr> DecodeCompressedBmp(const std::filesystem::path& path) {
  using R = Result<PixPtr>;
  GError* error = nullptr;
  GdkPixbuf* loaded = gdk_pixbuf_new_from_file(path.c_str(), &error);
  if (error != nullptr) g_error_free(error);  // its text may quote the file name
  if (loaded == nullptr) return R::Fail("BMP image could not be decoded");
  std::unique_ptr<GdkPixbuf, void (*)(gpointer)> pixbuf(loaded, g_object_unref);
  const int w = gdk_pixbuf_get_width(loaded);
  const int h = gdk_pixbuf_get_height(loaded);
  const int channels = gdk_pixbuf_get_n_channels(loaded);
  const int stride = gdk_pixbuf_get_rowstride(loaded);
  const guchar* pixels = gdk_pixbuf_read_pixels(loaded);
  if (gdk_pixbuf_get_bits_per_sample(loaded) != 8 || channels < 3 || pixels == nullptr) {
    return R::Fail("BMP image has an unexpected layout");
  }
  if (Status size = CheckImageSize(w, h); !size.ok()) return Error{size.message()};
  PixPtr pix(pixCreate(w, h, 32));
  if (!pix) return R::Fail("image could not be allocated");
  l_uint32* data = pixGetData(pix.get());
  const int wpl = pixGetWpl(pix.get());
  for (int y = 0; y < h; ++y) {
    const guchar* row = pixels + static_cast<std::ptrdiff_t>(y) * stride;
    l_uint32* line = data + static_cast<std::ptrdiff_t>(y) * wpl;
    for (int x = 0; x < w; ++x) {
      const guchar* p = row + static_cast<std::ptrdiff_t>(x) * channels;
      composeRGBPixel(p[0], p[1], p[2], line + x);
    }
  }
  return pix;
}

namespace {

// libjpeg's error handling: fatal errors jump back; warnings are counted, never printed, and
// only those that mean pixels were lost (a corrupt or cut entropy-coded segment), not stray
// bytes between markers, which some cameras and tools write into whole images.
struct JpegErrors {
  jpeg_error_mgr mgr;
  jmp_buf jump;
  int lost = 0;
};

[[noreturn]] void JpegFatal(j_common_ptr cinfo) {
  longjmp(reinterpret_cast<JpegErrors*>(cinfo->err)->jump, 1);
}
void JpegMessage(j_common_ptr cinfo, int level) {
  if (level == -1 && cinfo->err->msg_code != JWRN_EXTRANEOUS_DATA) {
    ++reinterpret_cast<JpegErrors*>(cinfo->err)->lost;
  }
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// What a caller of RunJpeg does with the image: where the bytes come from, and the rows.
struct JpegJob {
  std::function<void(j_decompress_ptr)> attach;  // sets the source (file or memory)
  int reduction = 1;                             // 1, 2, 4 or 8, in the decoder
  // Called once the output size is known (colour space already chosen: grey for one component,
  // RGB for three, CMYK for four); false stops the decoding.
  std::function<bool(const jpeg_decompress_struct&)> begin;
  std::function<void(int y, const JSAMPLE* row, const jpeg_decompress_struct&)> row;
};

// Runs libjpeg quietly. Returns whether pixels were lost (a fatal error part of the way counts:
// the rows before it were delivered); fails when no row was.
Result<bool> RunJpeg(const JpegJob& job) {
  struct State {
    jpeg_decompress_struct cinfo{};
    JpegErrors errors{};
    bool begun = false;
    std::vector<JSAMPLE> row;
  };
  // Everything that lives across the jump is behind this pointer, which does not change.
  const auto state = std::make_unique<State>();
  jpeg_decompress_struct& cinfo = state->cinfo;
  cinfo.err = jpeg_std_error(&state->errors.mgr);
  state->errors.mgr.error_exit = JpegFatal;
  state->errors.mgr.emit_message = JpegMessage;
  if (setjmp(state->errors.jump) != 0) {
    const bool some_rows = state->begun && state->cinfo.output_scanline > 0;
    jpeg_destroy_decompress(&state->cinfo);
    if (!some_rows) return Result<bool>::Fail("JPEG image could not be decoded");
    return true;
  }
  jpeg_create_decompress(&cinfo);
  job.attach(&cinfo);
  jpeg_read_header(&cinfo, TRUE);
  const bool cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
  cinfo.out_color_space = cinfo.num_components == 1 ? JCS_GRAYSCALE : cmyk ? JCS_CMYK : JCS_RGB;
  cinfo.scale_num = 1;
  cinfo.scale_denom = static_cast<unsigned>(std::clamp(job.reduction, 1, 8));
  jpeg_calc_output_dimensions(&cinfo);
  if (!job.begin(cinfo)) longjmp(state->errors.jump, 1);
  state->begun = true;
  jpeg_start_decompress(&cinfo);
  state->row.resize(static_cast<std::size_t>(cinfo.output_width) * cinfo.output_components);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW rows[1] = {state->row.data()};
    const auto y = static_cast<int>(cinfo.output_scanline);
    if (jpeg_read_scanlines(&cinfo, rows, 1) != 1) break;
    job.row(y, state->row.data(), cinfo);
  }
  jpeg_finish_decompress(&cinfo);
  const bool lost = state->errors.lost > 0;
  jpeg_destroy_decompress(&cinfo);
  return lost;
}

// One decoded row into `line` of a Leptonica image (8-bit grey or 32-bit RGB).
void PutJpegRow(const JSAMPLE* row, const jpeg_decompress_struct& cinfo, bool inverted_cmyk,
                l_uint32* line) {
  const auto w = static_cast<int>(cinfo.output_width);
  if (cinfo.output_components == 1) {
    for (int x = 0; x < w; ++x) SET_DATA_BYTE(line, x, row[x]);
    return;
  }
  for (int x = 0; x < w; ++x) {
    const JSAMPLE* p = row + static_cast<std::ptrdiff_t>(x) * cinfo.output_components;
    if (cinfo.output_components == 4) {  // CMYK (Adobe writes it inverted)
      const int k = inverted_cmyk ? p[3] : 255 - p[3];
      const auto c = [&](int v) { return (inverted_cmyk ? v : 255 - v) * k / 255; };
      composeRGBPixel(c(p[0]), c(p[1]), c(p[2]), line + x);
    } else {
      composeRGBPixel(p[0], p[1], p[2], line + x);
    }
  }
}

}  // namespace

Result<ImageHeader> ReadJpegHeader(const std::filesystem::path& path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) return Result<ImageHeader>::Fail("image file could not be opened");
  ImageHeader header;
  header.format = ImageFormat::kJpeg;
  JpegJob job;
  job.attach = [&](j_decompress_ptr cinfo) { jpeg_stdio_src(cinfo, file.get()); };
  job.begin = [&](const jpeg_decompress_struct& cinfo) {
    header.width = static_cast<int>(cinfo.image_width);
    header.height = static_cast<int>(cinfo.image_height);
    header.bits_per_sample = 8;
    header.samples_per_pixel = cinfo.num_components;
    return false;  // the header is all we want
  };
  (void)RunJpeg(job);  // stops after the header by design
  if (header.width <= 0) return Result<ImageHeader>::Fail("JPEG header could not be read");
  return header;
}

Result<DecodedJpeg> DecodeJpeg(const std::filesystem::path& path, int reduction) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) return Result<DecodedJpeg>::Fail("image file could not be opened");
  DecodedJpeg out;
  bool inverted_cmyk = false;
  JpegJob job;
  job.attach = [&](j_decompress_ptr cinfo) { jpeg_stdio_src(cinfo, file.get()); };
  job.reduction = reduction;
  job.begin = [&](const jpeg_decompress_struct& cinfo) {
    const auto width = static_cast<int>(cinfo.output_width);
    const auto height = static_cast<int>(cinfo.output_height);
    if (!CheckImageSize(width, height).ok()) return false;
    const int depth = cinfo.out_color_space == JCS_GRAYSCALE ? 8 : 32;
    out.pix.reset(pixCreate(width, height, depth));
    if (!out.pix) return false;
    pixSetAllArbitrary(out.pix.get(), depth == 8 ? 255 : 0xFFFFFF00);  // rows never read: paper
    if (cinfo.density_unit == 1 || cinfo.density_unit == 2) {          // dots per inch, per cm
      const int per_100_inches = cinfo.density_unit == 2 ? 254 : 100;
      const auto dpi = [&](int density) {
        return density * per_100_inches / 100 / static_cast<int>(cinfo.scale_denom);
      };
      pixSetResolution(out.pix.get(), dpi(cinfo.X_density), dpi(cinfo.Y_density));
    }
    inverted_cmyk = cinfo.out_color_space == JCS_CMYK && cinfo.saw_Adobe_marker;
    return true;
  };
  job.row = [&](int y, const JSAMPLE* row, const jpeg_decompress_struct& cinfo) {
    Pix* pix = out.pix.get();
    PutJpegRow(row, cinfo, inverted_cmyk, pixGetData(pix) + std::ptrdiff_t{y} * pixGetWpl(pix));
  };
  auto lost = RunJpeg(job);
  if (!lost.ok()) return Error{lost.message()};
  out.damaged = *lost;
  return out;
}

Result<GrayImage> DecodeJpegGray(std::string_view bytes) {
  GrayImage out;
  JpegJob job;
  job.attach = [&](j_decompress_ptr cinfo) {
    jpeg_mem_src(cinfo, reinterpret_cast<const unsigned char*>(bytes.data()),
                 static_cast<unsigned long>(bytes.size()));
  };
  job.begin = [&](const jpeg_decompress_struct& cinfo) {
    if (cinfo.out_color_space == JCS_CMYK) return false;  // the caller's decoder knows its ink
    out.width = static_cast<int>(cinfo.output_width);
    out.height = static_cast<int>(cinfo.output_height);
    out.stride = out.width;
    if (!CheckImageSize(out.width, out.height).ok()) return false;
    out.pixels.assign(static_cast<std::size_t>(out.width) * out.height, 255);
    return true;
  };
  job.row = [&](int y, const JSAMPLE* row, const jpeg_decompress_struct& cinfo) {
    unsigned char* line = out.pixels.data() + static_cast<std::size_t>(y) * out.width;
    for (int x = 0; x < out.width; ++x) {
      line[x] = row[static_cast<std::ptrdiff_t>(x) * cinfo.output_components];  // red channel
    }
  };
  auto lost = RunJpeg(job);
  if (!lost.ok()) return Error{lost.message()};
  out.damaged = *lost;
  return out;
}

std::string HeifVersion() { return std::string("libheif ") + heif_get_version(); }

}  // namespace intake::ocr
