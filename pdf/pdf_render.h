// Drawing PDF pages with Poppler, for the pages, OCR and write-documents stages: part of the PDF
// reader adapter (pdf_reader.h); Poppler's types stay in pdf/*.cc.
//
// Pages are drawn to 8-bit grey in memory with Poppler's Splash device; images are written, when
// they must be, by Leptonica (ocr/page_image.h): Poppler's own image::save takes 17 s for a
// 300-dpi A4 page. Error messages never name the file.
#pragma once

#include <chrono>
#include <filesystem>

#include "ocr/ocr_pool.h"
#include "pipeline/result.h"

namespace intake::pdf {

// The resolution to draw a page of `width_pt` x `height_pt` at: `dpi`, lowered when the image
// would be larger than OCR reads (ocr::kMaxOcrPixels) or too long on one side.
double RenderDpi(double width_pt, double height_pt, int dpi);

// When a page's drawing must stop (steady clock); kNoDrawDeadline: never.
using DrawDeadline = std::chrono::steady_clock::time_point;
inline constexpr DrawDeadline kNoDrawDeadline = DrawDeadline::max();

// Fails, before anything is drawn, when page `index` of `pdf` holds an image larger than
// ocr::kMaxImagePixels by its declared size: drawing it would decode all of it (minutes,
// gigabytes).
Status CheckDeclaredImages(const std::filesystem::path& pdf, int index);

// Opens `pdf` and draws its page `index` (0-based) in grey at `dpi` (Poppler's core API and its
// Splash device, so that drawing can be stopped: poppler-cpp's renderer cannot). Each call has
// its own Poppler document, so calls on different threads do not share anything. Drawing stops
// between drawing operators once `deadline` has passed: then it fails with ErrorCode::kTimeLimit
// (a page of 100,000 vector paths, or a pattern tiled a million times, takes Poppler minutes).
// An allocation Poppler reports as failed gives ErrorCode::kOutOfMemory.
Result<ocr::GrayImage> RenderPdfPage(const std::filesystem::path& pdf, int index, double dpi,
                                     DrawDeadline deadline = kNoDrawDeadline);

// The image OCR reads for page `index` of `pdf`: a plain scan's own image (pdf_scan_image.h),
// else the page drawn at `dpi` before `deadline`. Thread-safe as RenderPdfPage.
Result<ocr::GrayImage> PdfPageForOcr(const std::filesystem::path& pdf, int index, double dpi,
                                     DrawDeadline deadline = kNoDrawDeadline);

}  // namespace intake::pdf
