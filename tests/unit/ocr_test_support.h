// Test helpers for the OCR and pages tests: pages with known text, drawn with pango/cairo into
// PNG images (horizontal or vertical writing) and PDFs (a real text layer, or an image only), and
// small text utilities (spaces removed, character error rate).
//
// All text is fictional. Fonts: "Noto Sans CJK JP" (fonts-noto-cjk) for Japanese and Latin.
#pragma once

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/case_model.h"
#include "tests/support/temp_dir.h"
#include "text/text_normalize.h"

namespace intake::testing {

using Lines = std::vector<std::string>;

// Draws `lines` in black with their top-left corner at (x, y), glyphs `font_px` pixels high, in
// `family`.
inline void DrawLines(cairo_t* cr, const Lines& lines, double font_px, double x, double y,
                      const char* family = "Noto Sans CJK JP") {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  PangoLayout* layout = pango_cairo_create_layout(cr);
  PangoFontDescription* font = pango_font_description_from_string(family);
  pango_font_description_set_absolute_size(font, font_px * PANGO_SCALE);
  pango_layout_set_font_description(layout, font);
  pango_layout_set_spacing(layout, static_cast<int>(font_px * 0.6 * PANGO_SCALE));
  pango_layout_set_text(layout, text.c_str(), -1);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_move_to(cr, x, y);
  pango_cairo_show_layout(cr, layout);
  pango_font_description_free(font);
  g_object_unref(layout);
}

// An RGB image surface of `width` x `height` px, white, with `lines` drawn at a 40 px margin.
inline cairo_surface_t* MakeTextSurface(const Lines& lines, int width, int height, double font_px) {
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
  cairo_t* cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  if (!lines.empty()) DrawLines(cr, lines, font_px, 40, 40);
  cairo_destroy(cr);
  return surface;
}

// Writes a PNG with `lines` (or a blank white page when `lines` is empty).
inline bool WriteTextPng(const std::filesystem::path& path, const Lines& lines, int width = 1000,
                         int height = 400, double font_px = 28) {
  cairo_surface_t* surface = MakeTextSurface(lines, width, height, font_px);
  const bool ok = cairo_surface_write_to_png(surface, path.c_str()) == CAIRO_STATUS_SUCCESS;
  cairo_surface_destroy(surface);
  return ok;
}

// Writes a PNG of `columns` in vertical Japanese writing (縦書き): each entry is a column, read top
// to bottom, the first column on the right, glyphs `font_px` pixels high (pango: the layout is
// turned a quarter clockwise and set with east gravity, so CJK glyphs stay upright).
inline bool WriteVerticalTextPng(const std::filesystem::path& path, const Lines& columns, int width,
                                 int height, double font_px) {
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
  cairo_t* cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_translate(cr, width - 2 * font_px, 2 * font_px);
  cairo_rotate(cr, G_PI / 2);
  PangoContext* context = pango_cairo_create_context(cr);
  pango_context_set_base_gravity(context, PANGO_GRAVITY_EAST);
  pango_context_set_gravity_hint(context, PANGO_GRAVITY_HINT_STRONG);
  PangoLayout* layout = pango_layout_new(context);
  PangoFontDescription* font = pango_font_description_from_string("Noto Serif CJK JP");
  pango_font_description_set_absolute_size(font, font_px * PANGO_SCALE);
  pango_layout_set_font_description(layout, font);
  pango_layout_set_spacing(layout, static_cast<int>(font_px * 0.8 * PANGO_SCALE));
  std::string text;
  for (const auto& column : columns) text += column + "\n";
  pango_layout_set_text(layout, text.c_str(), -1);
  cairo_set_source_rgb(cr, 0, 0, 0);
  pango_cairo_show_layout(cr, layout);
  pango_font_description_free(font);
  g_object_unref(layout);
  g_object_unref(context);
  cairo_destroy(cr);
  const bool ok = cairo_surface_write_to_png(surface, path.c_str()) == CAIRO_STATUS_SUCCESS;
  cairo_surface_destroy(surface);
  return ok;
}

// Writes an A4 PDF with one page per entry of `pages`, the text as a real text layer.
inline bool WriteTextPdf(const std::filesystem::path& path, const std::vector<Lines>& pages) {
  cairo_surface_t* surface = cairo_pdf_surface_create(path.c_str(), 595, 842);
  cairo_t* cr = cairo_create(surface);
  for (const auto& lines : pages) {
    DrawLines(cr, lines, 16, 60, 60);
    cairo_show_page(cr);
  }
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  const bool ok = cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS;
  cairo_surface_destroy(surface);
  return ok;
}

// Writes a one-page A4 PDF whose only content is a picture of `lines` (no text layer), like a
// scan.
inline bool WriteImageOnlyPdf(const std::filesystem::path& path, const Lines& lines) {
  cairo_surface_t* picture = MakeTextSurface(lines, 1190, 1684, 40);
  cairo_surface_t* surface = cairo_pdf_surface_create(path.c_str(), 595, 842);
  cairo_t* cr = cairo_create(surface);
  cairo_scale(cr, 0.5, 0.5);
  cairo_set_source_surface(cr, picture, 0, 0);
  cairo_paint(cr);
  cairo_show_page(cr);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  const bool ok = cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS;
  cairo_surface_destroy(surface);
  cairo_surface_destroy(picture);
  return ok;
}

// `text` without ASCII white space and ideographic spaces (Tesseract puts spaces between
// Japanese characters).
inline std::string WithoutSpaces(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const unsigned char b = static_cast<unsigned char>(text[i]);
    if (b == ' ' || (b >= '\t' && b <= '\r')) continue;
    if (text.compare(i, 3, "\xE3\x80\x80") == 0) {
      i += 2;
      continue;
    }
    out += text[i];
  }
  return out;
}

// Character error rate of `got` against `want`: edit distance over code points, white space
// ignored in both (WithoutSpaces), divided by the length of `want`.
inline double CharacterErrorRate(const std::string& got, const std::string& want) {
  const std::u32string a = text::CodePoints(WithoutSpaces(got));
  const std::u32string b = text::CodePoints(WithoutSpaces(want));
  if (b.empty()) return a.empty() ? 0.0 : 1.0;
  return static_cast<double>(text::EditDistance(a, b)) / static_cast<double>(b.size());
}

// Adds a file of the submission to `c`, as unpack and identify would have, at
// `root`/in/`relative_path` (its folder is created; the file is left to the test to write).
// Returns a copy.
inline SourceFile AddSubmissionFile(Case& c, const std::filesystem::path& root,
                                    const std::string& relative_path, FileKind kind) {
  SourceFile file;
  file.id = c.NextFileId();
  file.relative_path = relative_path;
  file.path = root / "in" / relative_path;
  file.kind = kind;
  std::filesystem::create_directories(file.path.parent_path());
  c.files.push_back(file);
  return file;
}

}  // namespace intake::testing
