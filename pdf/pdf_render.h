// Drawing PDF pages with Poppler, for the pages, OCR and write-documents stages: part of the PDF
// reader adapter (pdf_reader.h); Poppler's types stay in pdf/*.cc.
//
// Pages are drawn to 8-bit grey in memory with poppler::page_renderer; images are written, when
// they must be, by Leptonica (ocr/page_image.h): Poppler's own image::save takes 17 s for a
// 300-dpi A4 page. Error messages never name the file.
#pragma once

#include <filesystem>

#include "ocr/ocr_pool.h"
#include "pipeline/result.h"

namespace intake::pdf {

// The resolution to draw a page of `width_pt` x `height_pt` at: `dpi`, lowered when the image
// would be larger than OCR reads (ocr::kMaxOcrPixels) or too long on one side.
double RenderDpi(double width_pt, double height_pt, int dpi);

// Fails, before anything is drawn, when page `index` of `pdf` holds an image larger than
// ocr::kMaxImagePixels by its declared size: drawing it would decode all of it (minutes,
// gigabytes).
Status CheckDeclaredImages(const std::filesystem::path& pdf, int index);

// Opens `pdf` and draws its page `index` (0-based) at `dpi`. Each call has its own Poppler
// document, so calls on different threads do not share anything.
Result<ocr::GrayImage> RenderPdfPage(const std::filesystem::path& pdf, int index, double dpi);

// The image OCR reads for page `index` of `pdf`: a plain scan's own image (pdf_scan_image.h),
// else the page drawn at `dpi`. Thread-safe as RenderPdfPage.
Result<ocr::GrayImage> PdfPageForOcr(const std::filesystem::path& pdf, int index, double dpi);

}  // namespace intake::pdf
