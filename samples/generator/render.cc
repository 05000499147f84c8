#include "samples/generator/render.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>

namespace intake::samplegen {
namespace {

constexpr double kMarginLeft = 56.7;  // 20 mm
constexpr double kMarginTop = 48.2;   // 17 mm
constexpr double kMarginBottom = 48.2;
constexpr double kTextWidth = kA4WidthPt - 2 * kMarginLeft;
constexpr double kLineGap = 5;  // between blocks
constexpr double kMmToPt = 72.0 / 25.4;
constexpr const char* kFullWidthSpace = "　";

struct GObjectDeleter {
  void operator()(void* object) const { g_object_unref(object); }
};
template <typename T>
using GPtr = std::unique_ptr<T, GObjectDeleter>;

struct FontDescriptionDeleter {
  void operator()(PangoFontDescription* d) const { pango_font_description_free(d); }
};
using FontPtr = std::unique_ptr<PangoFontDescription, FontDescriptionDeleter>;

struct SurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
using SurfacePtr = std::unique_ptr<cairo_surface_t, SurfaceDeleter>;

struct CairoDeleter {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
};
using CairoPtr = std::unique_ptr<cairo_t, CairoDeleter>;

FontPtr Font(const char* family, double size_pt, bool bold) {
  FontPtr font(pango_font_description_new());
  pango_font_description_set_family(font.get(), family);
  pango_font_description_set_weight(font.get(), bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  // Absolute size: one pango unit per point, whatever the surface's resolution.
  pango_font_description_set_absolute_size(font.get(), size_pt * PANGO_SCALE);
  return font;
}

// Draws blocks top-down on one page; y is the cursor in points.
class PageDrawer {
 public:
  // `lines`, when given, receives the text lines drawn, in reading order.
  explicit PageDrawer(cairo_t* cr, std::vector<std::string>* lines = nullptr,
                      const PageStyle& style = PageStyle())
      : cr_(cr), context_(pango_cairo_create_context(cr)), lines_(lines), style_(style) {
    // Metrics must not depend on the surface (PDF or image) so both layouts match.
    cairo_font_options_t* options = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(context_.get(), options);
    cairo_font_options_destroy(options);
  }

  Status Draw(const PageContent& page) {
    y_ = kMarginTop;
    if (!style_.letterhead.empty()) DrawLetterhead();
    for (const Block& block : page.blocks) {
      std::visit([this](const auto& b) { DrawBlock(b); }, block);
      if (y_ > kA4HeightPt - kMarginBottom) {
        return Status::Fail("page content does not fit on A4 (" + std::to_string(y_) + " pt)");
      }
    }
    return Status::Ok();
  }

 private:
  GPtr<PangoLayout> Layout(const std::string& text, const char* family, double size_pt, bool bold,
                           double width_pt, Align align = Align::kLeft) {
    GPtr<PangoLayout> layout(pango_layout_new(context_.get()));
    FontPtr font = Font(family, size_pt, bold);
    pango_layout_set_font_description(layout.get(), font.get());
    pango_layout_set_text(layout.get(), text.c_str(), static_cast<int>(text.size()));
    pango_layout_set_width(layout.get(), static_cast<int>(width_pt * PANGO_SCALE));
    pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(layout.get(), align == Align::kCenter  ? PANGO_ALIGN_CENTER
                                             : align == Align::kRight ? PANGO_ALIGN_RIGHT
                                                                      : PANGO_ALIGN_LEFT);
    pango_layout_set_spacing(layout.get(), static_cast<int>(size_pt * 0.25 * PANGO_SCALE));
    return layout;
  }

  // The layout's lines as laid out (after wrapping), empty ones left out.
  static std::vector<std::string> LinesOf(PangoLayout* layout) {
    std::vector<std::string> out;
    const char* text = pango_layout_get_text(layout);
    for (GSList* l = pango_layout_get_lines_readonly(layout); l != nullptr; l = l->next) {
      const auto* line = static_cast<PangoLayoutLine*>(l->data);
      std::string part(text + line->start_index, static_cast<std::size_t>(line->length));
      while (!part.empty() && (part.back() == '\n' || part.back() == ' ')) part.pop_back();
      if (!part.empty()) out.push_back(std::move(part));
    }
    return out;
  }

  void Capture(PangoLayout* layout) {
    if (!lines_) return;
    for (auto& line : LinesOf(layout)) lines_->push_back(std::move(line));
  }

  static double Height(PangoLayout* layout) {
    int width = 0;
    int height = 0;
    pango_layout_get_size(layout, &width, &height);
    return static_cast<double>(height) / PANGO_SCALE;
  }

  static double Width(PangoLayout* layout) {
    PangoRectangle logical;
    pango_layout_get_extents(layout, nullptr, &logical);
    return static_cast<double>(logical.x + logical.width) / PANGO_SCALE;
  }

  void Show(PangoLayout* layout, double x, double y) {
    cairo_move_to(cr_, x, y);
    pango_cairo_show_layout(cr_, layout);
  }

  const char* Print() const { return style_.print_font.c_str(); }
  const char* Filled() const { return style_.filled_font.c_str(); }

  void DrawLetterhead() {
    auto layout = Layout(style_.letterhead, Print(), 9, false, kTextWidth);
    cairo_set_source_rgb(cr_, 0, 0, 0);
    Show(layout.get(), kMarginLeft, y_ - 22);
    Capture(layout.get());
    cairo_set_line_width(cr_, 0.8);
    const double rule = y_ - 22 + Height(layout.get()) + 2;
    cairo_move_to(cr_, kMarginLeft, rule);
    cairo_line_to(cr_, kMarginLeft + kTextWidth, rule);
    cairo_stroke(cr_);
    y_ = std::max(y_, rule + 6);
  }

  void DrawBlock(const TitleBlock& b) {
    const Align align = style_.title_left ? Align::kLeft : b.align;
    auto layout = Layout(b.text, Print(), b.size_pt, true, kTextWidth, align);
    // Letter-spaced titles are short ones (申 込 書, 相 談 同 意 書): a long one would wrap.
    const auto characters = g_utf8_strlen(b.text.c_str(), -1);
    if (style_.title_letter_spaced && characters <= 10) {
      PangoAttrList* attrs = pango_attr_list_new();
      pango_attr_list_insert(
          attrs, pango_attr_letter_spacing_new(static_cast<int>(b.size_pt * 0.8 * PANGO_SCALE)));
      pango_layout_set_attributes(layout.get(), attrs);
      pango_attr_list_unref(attrs);
    }
    cairo_set_source_rgb(cr_, 0, 0, 0);
    Show(layout.get(), kMarginLeft, y_);
    Capture(layout.get());
    y_ += Height(layout.get()) + 12;
  }

  void DrawBlock(const TextBlock& b) {
    auto layout = Layout(b.text, Print(), b.size_pt, b.bold, kTextWidth - b.indent_pt, b.align);
    cairo_set_source_rgb(cr_, 0, 0, 0);
    Show(layout.get(), kMarginLeft + b.indent_pt, y_);
    Capture(layout.get());
    y_ += Height(layout.get()) + kLineGap;
  }

  // A value of choices ("■患者本人　□家族のみ") as the style marks them: the text to draw and
  // the byte range of the chosen option's box (checked) or words (circled) in it; no range for
  // a value without choices or the filled-box style.
  struct MarkedValue {
    std::string text;
    std::size_t chosen_begin = std::string::npos;
    std::size_t chosen_end = std::string::npos;
  };
  MarkedValue MarkChoices(const std::string& value) const {
    static const std::string kFilled = "■", kHollow = "□";
    const std::size_t filled = value.find(kFilled);
    if (style_.choice_mark == ChoiceMark::kFilledBox || filled == std::string::npos) {
      return {value};
    }
    MarkedValue out;
    for (std::size_t at = 0; at < value.size();) {
      const bool is_filled = value.compare(at, kFilled.size(), kFilled) == 0;
      const bool is_hollow = value.compare(at, kHollow.size(), kHollow) == 0;
      if (!is_filled && !is_hollow) {
        out.text += value[at++];
        continue;
      }
      at += kFilled.size();  // both marks are three bytes in UTF-8
      if (style_.choice_mark == ChoiceMark::kCheckedBox) {
        if (is_filled) out.chosen_begin = out.text.size();
        out.text += kHollow;
        if (is_filled) out.chosen_end = out.text.size();
      } else if (is_filled) {
        out.chosen_begin = out.text.size();
        const std::size_t next = value.find(kFullWidthSpace, at);
        out.chosen_end = out.chosen_begin + (next == std::string::npos ? value.size() : next) - at;
      }
    }
    return out;
  }

  // The hand's mark over the chosen option: a tick across its box, or a ring around its words.
  void DrawHandMark(PangoLayout* layout, const MarkedValue& marked, std::size_t offset, double x,
                    double y) {
    if (marked.chosen_begin == std::string::npos) return;
    PangoRectangle first, last;
    pango_layout_index_to_pos(layout, static_cast<int>(offset + marked.chosen_begin), &first);
    pango_layout_index_to_pos(layout, static_cast<int>(offset + marked.chosen_end) - 1, &last);
    const double left = x + first.x / double(PANGO_SCALE);
    const double top = y + first.y / double(PANGO_SCALE);
    const double right = x + (last.x + last.width) / double(PANGO_SCALE);
    const double bottom = y + (first.y + first.height) / double(PANGO_SCALE);
    cairo_save(cr_);
    cairo_set_source_rgb(cr_, 0.05, 0.05, 0.1);
    cairo_set_line_cap(cr_, CAIRO_LINE_CAP_ROUND);
    if (style_.choice_mark == ChoiceMark::kCheckedBox) {
      const double w = right - left, h = bottom - top;
      cairo_set_line_width(cr_, 1.6);
      cairo_move_to(cr_, left + 0.1 * w, top + 0.5 * h);
      cairo_line_to(cr_, left + 0.4 * w, top + 0.85 * h);
      cairo_line_to(cr_, left + 1.05 * w, top - 0.1 * h);
    } else {
      // The ring's path in a scaled space, stroked in the page's, so the line stays even.
      cairo_save(cr_);
      cairo_translate(cr_, (left + right) / 2, (top + bottom) / 2);
      cairo_scale(cr_, (right - left) / 2 + 5, (bottom - top) / 2 + 2);
      cairo_new_path(cr_);
      cairo_arc(cr_, 0, 0, 1, 0.15, 2 * M_PI + 0.4);  // a hand's ring overshoots its start
      cairo_restore(cr_);
      cairo_set_line_width(cr_, 1.1);
    }
    cairo_stroke(cr_);
    cairo_restore(cr_);
  }

  // "label　value" in one layout (so the text layer keeps the full-width space), the label bold.
  // Returns the layout's height.
  double DrawField(const FieldBlock& b, double x, double y, double width, double size_pt) {
    const std::string prefix = b.label.empty() ? "" : b.label + kFullWidthSpace;
    const MarkedValue marked = MarkChoices(b.value);
    const std::string text = prefix + marked.text;
    auto layout = Layout(text, Print(), size_pt, false, width);
    PangoAttrList* attrs = pango_attr_list_new();
    PangoAttribute* bold = pango_attr_weight_new(PANGO_WEIGHT_BOLD);
    bold->start_index = 0;
    bold->end_index = static_cast<guint>(prefix.size());
    pango_attr_list_insert(attrs, bold);
    if (b.handwritten || (style_.values_handwritten && !b.value.empty())) {
      PangoAttribute* family = pango_attr_family_new(Filled());
      family->start_index = static_cast<guint>(prefix.size());
      family->end_index = static_cast<guint>(text.size());
      pango_attr_list_insert(attrs, family);
      const double scale = b.handwritten ? 1.35 : 1.1;
      PangoAttribute* size =
          pango_attr_size_new_absolute(static_cast<int>(size_pt * scale * PANGO_SCALE));
      size->start_index = family->start_index;
      size->end_index = family->end_index;
      pango_attr_list_insert(attrs, size);
    }
    pango_layout_set_attributes(layout.get(), attrs);
    pango_attr_list_unref(attrs);

    cairo_set_source_rgb(cr_, 0, 0, 0);
    Show(layout.get(), x, y);
    Capture(layout.get());
    DrawHandMark(layout.get(), marked, prefix.size(), x, y);
    const double height = Height(layout.get());
    if (!b.seal.empty()) DrawSeal(b.seal, x + Width(layout.get()) + 4, y + height / 2);
    return height;
  }

  void DrawBlock(const FieldBlock& b) {
    if (style_.fields_in_cells && !b.label.empty()) {
      DrawFieldInCells(b);
      return;
    }
    y_ += DrawField(b, kMarginLeft, y_, kTextWidth, 11.5) + kLineGap;
  }

  // A form's row: the label in a narrow ruled cell, the value in a wide one beside it.
  void DrawFieldInCells(const FieldBlock& b) {
    const double pad = 4;
    const double label_width = kTextWidth * 0.28;
    auto label = Layout(b.label, Print(), 10.5, true, label_width - 2 * pad);
    FieldBlock value_only = b;
    value_only.label.clear();
    std::vector<std::string> value_lines;
    std::vector<std::string>* saved = lines_;
    lines_ = &value_lines;
    const double value_height = DrawField(value_only, kMarginLeft + label_width + pad, y_ + pad,
                                          kTextWidth - label_width - 2 * pad, 11);
    lines_ = saved;
    const double height = std::max(Height(label.get()), value_height) + 2 * pad;
    cairo_set_source_rgb(cr_, 0, 0, 0);
    Show(label.get(), kMarginLeft + pad, y_ + pad);
    if (lines_) {  // the row reads label then value, as a table row does
      std::vector<std::string> label_lines = LinesOf(label.get());
      for (std::size_t k = 0; k < std::max(label_lines.size(), value_lines.size()); ++k) {
        std::string joined = k < label_lines.size() ? label_lines[k] : std::string();
        if (k < value_lines.size()) joined += (joined.empty() ? "" : " ") + value_lines[k];
        lines_->push_back(std::move(joined));
      }
    }
    cairo_set_line_width(cr_, 0.7);
    cairo_rectangle(cr_, kMarginLeft, y_, label_width, height);
    cairo_rectangle(cr_, kMarginLeft + label_width, y_, kTextWidth - label_width, height);
    cairo_stroke(cr_);
    y_ += height;
  }

  // A red name seal (印): a circle with the name inside, half over the end of the text.
  void DrawSeal(const std::string& name, double cx, double cy) {
    const double radius = 11;
    cairo_save(cr_);
    cairo_new_path(cr_);
    cairo_set_source_rgba(cr_, 0.85, 0.1, 0.1, 0.55);
    cairo_set_line_width(cr_, 1.4);
    cairo_arc(cr_, cx, cy, radius, 0, 2 * M_PI);
    cairo_stroke(cr_);
    const double size = name.size() > 6 ? 6.5 : 9;  // two kanji fit at 6.5 pt
    auto layout = Layout(name, Filled(), size, true, 2 * radius, Align::kCenter);
    // As outlines, not text: a seal is part of the image, never of a PDF's text layer.
    cairo_new_path(cr_);
    cairo_move_to(cr_, cx - radius, cy - Height(layout.get()) / 2);
    pango_cairo_layout_path(cr_, layout.get());
    cairo_fill(cr_);
    cairo_restore(cr_);
  }

  void DrawBlock(const TableBlock& b) {
    if (b.rows.empty()) return;
    const std::size_t columns = b.rows.front().size();
    std::vector<double> weights = b.column_weights;
    if (weights.size() != columns) weights.assign(columns, 1.0);
    const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
    std::vector<double> widths;
    for (double w : weights) widths.push_back(kTextWidth * w / total);
    const double pad = 4;

    cairo_set_line_width(cr_, 0.7);
    for (std::size_t r = 0; r < b.rows.size(); ++r) {
      const bool header = r == 0;
      std::vector<GPtr<PangoLayout>> cells;
      double row_height = 0;
      for (std::size_t c = 0; c < columns; ++c) {
        const std::string& text = c < b.rows[r].size() ? b.rows[r][c] : std::string();
        cells.push_back(Layout(text, Print(), b.size_pt, header, widths[c] - 2 * pad));
        row_height = std::max(row_height, Height(cells.back().get()));
      }
      row_height += 2 * pad;
      // A row reads left to right: line k of the row joins line k of each cell.
      if (lines_) {
        std::vector<std::vector<std::string>> cell_lines;
        std::size_t depth = 0;
        for (const auto& cell : cells) {
          cell_lines.push_back(LinesOf(cell.get()));
          depth = std::max(depth, cell_lines.back().size());
        }
        for (std::size_t k = 0; k < depth; ++k) {
          std::string joined;
          for (const auto& lines : cell_lines) {
            if (k >= lines.size()) continue;
            if (!joined.empty()) joined += " ";
            joined += lines[k];
          }
          lines_->push_back(std::move(joined));
        }
      }
      double x = kMarginLeft;
      for (std::size_t c = 0; c < columns; ++c) {
        cairo_set_source_rgb(cr_, 0, 0, 0);
        cairo_rectangle(cr_, x, y_, widths[c], row_height);
        cairo_stroke(cr_);
        Show(cells[c].get(), x + pad, y_ + pad);
        x += widths[c];
      }
      y_ += row_height;
    }
    y_ += kLineGap;
  }

  void DrawBlock(const SpacerBlock& b) { y_ += b.height_pt; }

  // An ID card photocopied on A4: rounded frame, fields, a photo box, title and issuer below.
  void DrawBlock(const CardBlock& b) {
    const double w = b.width_mm * kMmToPt;
    const double h = b.height_mm * kMmToPt;
    const double x0 = kMarginLeft;
    const double y0 = y_;
    const double r = 10;
    // A thin grey edge, as a card's outline comes out on a photocopier (a heavy black frame
    // makes Tesseract take the card for a picture and drop lines inside it).
    cairo_set_source_rgb(cr_, 0.6, 0.6, 0.6);
    cairo_set_line_width(cr_, 0.8);
    cairo_new_sub_path(cr_);
    cairo_arc(cr_, x0 + w - r, y0 + r, r, -M_PI / 2, 0);
    cairo_arc(cr_, x0 + w - r, y0 + h - r, r, 0, M_PI / 2);
    cairo_arc(cr_, x0 + r, y0 + h - r, r, M_PI / 2, M_PI);
    cairo_arc(cr_, x0 + r, y0 + r, r, M_PI, 3 * M_PI / 2);
    cairo_close_path(cr_);
    cairo_stroke(cr_);

    // Photo: a light box with a head-and-shoulders silhouette, right side.
    const double photo_w = w * 0.22;
    const double photo_h = photo_w * 1.25;
    const double photo_x = b.photo ? x0 + w - photo_w - 12 : x0 + w;
    const double photo_y = y0 + h * 0.28;
    if (b.photo) {
      cairo_set_source_rgb(cr_, 0.85, 0.85, 0.85);
      cairo_rectangle(cr_, photo_x, photo_y, photo_w, photo_h);
      cairo_fill(cr_);
      cairo_set_source_rgb(cr_, 0.6, 0.6, 0.6);
      cairo_arc(cr_, photo_x + photo_w / 2, photo_y + photo_h * 0.38, photo_w * 0.2, 0, 2 * M_PI);
      cairo_fill(cr_);
      cairo_arc(cr_, photo_x + photo_w / 2, photo_y + photo_h, photo_w * 0.42, M_PI, 2 * M_PI);
      cairo_fill(cr_);
    }

    // Title on top, then the fields and the issuer right under them: an isolated line low on
    // the card, next to the photo, is often dropped by Tesseract's page layout analysis.
    const double inner_x = x0 + 12;
    auto title = Layout(b.title, Print(), 16, true, w - 24, Align::kCenter);
    cairo_set_source_rgb(cr_, 0, 0, 0);
    Show(title.get(), inner_x, y0 + 8);
    Capture(title.get());
    double y = y0 + 8 + Height(title.get()) + 4;
    for (std::size_t i = 0; i < b.fields.size(); ++i) {
      // The first two lines (name, address) run the card's width; the rest leave the photo.
      const double width = i < 2 ? w - 24 : photo_x - inner_x - 8;
      y += DrawField(b.fields[i], inner_x, y, width, 10.5) + 3;
    }
    auto footer = Layout(b.footer, Print(), 11, false, photo_x - inner_x - 8);
    cairo_set_source_rgb(cr_, 0, 0, 0);
    Show(footer.get(), inner_x, y + 8);
    Capture(footer.get());
    y_ = y0 + h + kLineGap;
  }

  cairo_t* cr_;
  GPtr<PangoContext> context_;
  std::vector<std::string>* lines_;
  PageStyle style_;  // a copy: the default argument is a temporary
  double y_ = 0;
};

}  // namespace

Status WriteTextPdf(const std::filesystem::path& path,
                    const std::vector<DocumentContent>& documents) {
  SurfacePtr surface(cairo_pdf_surface_create(path.c_str(), kA4WidthPt, kA4HeightPt));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return Status::Fail("cannot create PDF surface");
  }
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATE_DATE, kPdfCreateDate);
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "intake-samplegen");
  CairoPtr cr(cairo_create(surface.get()));
  for (const DocumentContent& document : documents) {
    for (const PageContent& page : document.pages) {
      PageDrawer drawer(cr.get());
      if (Status s = drawer.Draw(page); !s.ok()) {
        return Status::Fail(document.type + ": " + s.message());
      }
      cairo_show_page(cr.get());
    }
  }
  cr.reset();
  cairo_surface_finish(surface.get());
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return Status::Fail("cannot write PDF");
  }
  return Status::Ok();
}

Result<GreyImage> RenderPageGrey(const PageContent& page, int dpi) {
  auto rendered = RenderPage(page, dpi);
  if (!rendered.ok()) return Error{rendered.message()};
  return std::move(rendered->image);
}

Result<RenderedPage> RenderPage(const PageContent& page, int dpi, const PageStyle& style) {
  RenderedPage rendered;
  const double scale = dpi / 72.0;
  GreyImage image;
  image.dpi = dpi;
  image.width = static_cast<int>(std::lround(kA4WidthPt * scale));
  image.height = static_cast<int>(std::lround(kA4HeightPt * scale));
  SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, image.width, image.height));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return Result<RenderedPage>::Fail("cannot create image surface");
  }
  {
    CairoPtr cr(cairo_create(surface.get()));
    cairo_set_source_rgb(cr.get(), 1, 1, 1);
    cairo_paint(cr.get());
    cairo_scale(cr.get(), scale, scale);
    PageDrawer drawer(cr.get(), &rendered.lines, style);
    if (Status s = drawer.Draw(page); !s.ok()) return Error{s.message()};
  }
  cairo_surface_flush(surface.get());
  const unsigned char* data = cairo_image_surface_get_data(surface.get());
  const int stride = cairo_image_surface_get_stride(surface.get());
  image.pixels.resize(static_cast<std::size_t>(image.width) * image.height);
  for (int y = 0; y < image.height; ++y) {
    const auto* row =
        reinterpret_cast<const std::uint32_t*>(data + static_cast<std::size_t>(y) * stride);
    for (int x = 0; x < image.width; ++x) {
      const std::uint32_t px = row[x];  // xRGB, native endian
      const int r = (px >> 16) & 0xff;
      const int g = (px >> 8) & 0xff;
      const int b = px & 0xff;
      image.at(x, y) = static_cast<std::uint8_t>((299 * r + 587 * g + 114 * b + 500) / 1000);
    }
  }
  rendered.image = std::move(image);
  return rendered;
}

}  // namespace intake::samplegen
