#include "samples/generator/package.h"

#include <archive.h>
#include <archive_entry.h>
#include <cairo-pdf.h>
#include <cairo.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>

#include "samples/generator/pix_util.h"
#include "samples/generator/render.h"

namespace intake::samplegen {
namespace {

// Paints a grey page into an RGB24 surface and attaches the JPEG bytes: cairo's PDF backend
// embeds the JPEG as it is (DCTDecode) instead of re-encoding the pixels.
struct JpegPage {
  cairo_surface_t* surface = nullptr;
  ~JpegPage() {
    if (surface) cairo_surface_destroy(surface);
  }
};

Status MakeJpegPage(const GreyImage& page, JpegPage& out) {
  PixPtr pix = ToPix(page);
  if (!pix) return Status::Fail("cannot allocate page image");
  l_uint8* jpeg = nullptr;
  size_t jpeg_size = 0;
  if (pixWriteMemJpeg(&jpeg, &jpeg_size, pix.get(), 90, 0) != 0) {
    return Status::Fail("JPEG encoding failed");
  }
  out.surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, page.width, page.height);
  if (cairo_surface_status(out.surface) != CAIRO_STATUS_SUCCESS) {
    std::free(jpeg);
    return Status::Fail("cannot create image surface");
  }
  cairo_surface_flush(out.surface);
  unsigned char* data = cairo_image_surface_get_data(out.surface);
  const int stride = cairo_image_surface_get_stride(out.surface);
  for (int y = 0; y < page.height; ++y) {
    auto* row = reinterpret_cast<std::uint32_t*>(data + static_cast<std::size_t>(y) * stride);
    for (int x = 0; x < page.width; ++x) {
      const std::uint32_t v = page.at(x, y);
      row[x] = (v << 16) | (v << 8) | v;
    }
  }
  cairo_surface_mark_dirty(out.surface);
  cairo_surface_set_mime_data(out.surface, CAIRO_MIME_TYPE_JPEG, jpeg, jpeg_size, std::free, jpeg);
  return Status::Ok();
}

}  // namespace

Status WriteScanPdf(const std::filesystem::path& path, const std::vector<GreyImage>& pages) {
  cairo_surface_t* surface = cairo_pdf_surface_create(path.c_str(), kA4WidthPt, kA4HeightPt);
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(surface);
    return Status::Fail("cannot create PDF surface");
  }
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, kPdfCreateDate);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "intake-samplegen scan");
  cairo_t* cr = cairo_create(surface);
  Status status = Status::Ok();
  for (const GreyImage& page : pages) {
    JpegPage jpeg;
    status = MakeJpegPage(page, jpeg);
    if (!status.ok()) break;
    cairo_save(cr);
    cairo_scale(cr, kA4WidthPt / page.width, kA4HeightPt / page.height);
    cairo_set_source_surface(cr, jpeg.surface, 0, 0);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_show_page(cr);
  }
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  if (status.ok() && cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    status = Status::Fail("cannot write PDF");
  }
  cairo_surface_destroy(surface);
  return status;
}

Status WriteScanTiff(const std::filesystem::path& path, const std::vector<GreyImage>& pages,
                     TiffCompression compression) {
  std::filesystem::remove(path);
  bool first = true;
  for (const GreyImage& page : pages) {
    PixPtr grey = ToPix(page);
    if (!grey) return Status::Fail("cannot allocate page image");
    PixPtr frame;
    l_int32 comptype = IFF_TIFF_ZIP;
    if (compression == TiffCompression::kG4) {
      // Fixed threshold between the scan's ink and paper levels: no speckles from the noise.
      frame.reset(pixThresholdToBinary(grey.get(), 150));
      if (!frame) return Status::Fail("binarisation failed");
      pixSetResolution(frame.get(), page.dpi, page.dpi);
      comptype = IFF_TIFF_G4;
    } else {
      frame = std::move(grey);
    }
    if (pixWriteTiff(path.c_str(), frame.get(), comptype, first ? "w" : "a") != 0) {
      return Status::Fail("TIFF writing failed");
    }
    first = false;
  }
  return Status::Ok();
}

Status WritePng(const std::filesystem::path& path, const GreyImage& page) {
  PixPtr pix = ToPix(page);
  if (!pix) return Status::Fail("cannot allocate page image");
  pixSetZlibCompression(pix.get(), 6);
  if (pixWrite(path.c_str(), pix.get(), IFF_PNG) != 0) return Status::Fail("PNG writing failed");
  return Status::Ok();
}

Status WriteJpeg(const std::filesystem::path& path, const GreyImage& page, int quality) {
  PixPtr pix = ToPix(page);
  if (!pix) return Status::Fail("cannot allocate page image");
  if (pixWriteJpeg(path.c_str(), pix.get(), quality, 0) != 0) {
    return Status::Fail("JPEG writing failed");
  }
  return Status::Ok();
}

Status WriteZip(const std::filesystem::path& path, const std::vector<ZipEntry>& entries) {
  struct archive* a = archive_write_new();
  archive_write_set_format_zip(a);
  archive_write_zip_set_compression_deflate(a);
  archive_write_set_options(a, "zip:hdrcharset=UTF-8");
  if (archive_write_open_filename(a, path.c_str()) != ARCHIVE_OK) {
    archive_write_free(a);
    return Status::Fail("cannot create zip");
  }
  Status status = Status::Ok();
  for (const ZipEntry& item : entries) {
    std::ifstream in(item.source, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      status = Status::Fail("cannot read a file to zip");
      break;
    }
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname_utf8(entry, item.name.c_str());
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_entry_set_size(entry, static_cast<la_int64_t>(bytes.size()));
    archive_entry_set_mtime(entry, kFixedUnixTime, 0);
    archive_entry_set_uid(entry, 1000);
    archive_entry_set_gid(entry, 1000);
    const bool ok =
        archive_write_header(a, entry) == ARCHIVE_OK &&
        archive_write_data(a, bytes.data(), bytes.size()) == static_cast<la_ssize_t>(bytes.size());
    archive_entry_free(entry);
    if (!ok) {
      const char* error = archive_error_string(a);
      status = Status::Fail(std::string("zip writing failed: ") + (error ? error : "unknown"));
      break;
    }
  }
  if (archive_write_close(a) != ARCHIVE_OK && status.ok())
    status = Status::Fail("zip close failed");
  archive_write_free(a);
  return status;
}

}  // namespace intake::samplegen
