// Rendering: lays out document content on A4 pages with pango + cairo.
//
// Units are points (1/72 in) with the origin at the page's top-left. The same drawing code
// writes a born-digital PDF (real text layer, fonts embedded by cairo) and grey raster pages
// for the scan formats. Fonts: Noto Sans CJK JP; signatures in Noto Serif CJK JP.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/result.h"
#include "samples/generator/content.h"
#include "samples/generator/grey_image.h"

namespace intake::samplegen {

inline constexpr double kA4WidthPt = 595.2756;
inline constexpr double kA4HeightPt = 841.8898;

// Fixed PDF creation date, so that the same sample gives the same bytes.
inline constexpr const char* kPdfCreateDate = "2026-11-01T09:00:00+09:00";

// Writes the documents' pages, in order, as a born-digital PDF with a text layer.
// Fails when a page's content does not fit on A4.
Status WriteTextPdf(const std::filesystem::path& path,
                    const std::vector<DocumentContent>& documents);

// Renders one page to a clean grey image (white paper, black ink, red seals turned grey).
Result<GreyImage> RenderPageGrey(const PageContent& page, int dpi);

// A rendered page and its text: every line as laid out (after wrapping), top to bottom; a table
// row's cells joined left to right with a space. Seals (印) are pictures of text, not lines.
struct RenderedPage {
  GreyImage image;
  std::vector<std::string> lines;
};
Result<RenderedPage> RenderPage(const PageContent& page, int dpi);

}  // namespace intake::samplegen
