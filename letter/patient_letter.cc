#include "letter/patient_letter.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <memory>

#include "letter/qr_code.h"
#include "letter/reply_slip.h"
#include "pipeline/atomic_file.h"

namespace intake::letter {
namespace {

constexpr double kPageWidth = 595.2756;  // A4 in points
constexpr double kPageHeight = 841.8898;
constexpr double kMargin = 56.0;  // about 20 mm
constexpr double kTextWidth = kPageWidth - 2 * kMargin;
constexpr double kQrSide = 110.0;      // the QR code with its quiet zone, about 39 mm
// A TrueType face: cairo embeds a subset of it in ~15 ms; Noto Sans CJK (CFF in a collection)
// took ~110 ms a weight, half of a disc-only case's time after its files were read.
constexpr const char* kFamily = "TakaoGothic";

struct LayoutDeleter {
  void operator()(PangoLayout* layout) const { g_object_unref(layout); }
};
using LayoutPtr = std::unique_ptr<PangoLayout, LayoutDeleter>;

// Draws paragraphs top to bottom on one cairo context; `y` is where the next one goes.
class Pen {
 public:
  explicit Pen(cairo_t* cr) : cr_(cr) {}

  // Draws `text` at (x, y) wrapped in `width`; returns its height.
  double Text(const std::string& text, double x, double y, double size, double width,
              bool bold = false, PangoAlignment align = PANGO_ALIGN_LEFT) {
    const LayoutPtr layout = Layout(text, size, width, bold);
    pango_layout_set_alignment(layout.get(), align);
    int w = 0;
    int h = 0;
    pango_layout_get_size(layout.get(), &w, &h);
    cairo_move_to(cr_, x, y);
    cairo_set_source_rgb(cr_, 0, 0, 0);
    pango_cairo_show_layout(cr_, layout.get());
    return static_cast<double>(h) / PANGO_SCALE;
  }

  // A paragraph in the text column at the current position, then `gap` points of space.
  void Paragraph(const std::string& text, double size, double gap, bool bold = false,
                 PangoAlignment align = PANGO_ALIGN_LEFT, double indent = 0) {
    y += Text(text, kMargin + indent, y, size, kTextWidth - indent, bold, align) + gap;
  }

  double y = kMargin;

 private:
  LayoutPtr Layout(const std::string& text, double size, double width, bool bold) const {
    LayoutPtr layout(pango_cairo_create_layout(cr_));
    PangoFontDescription* font = pango_font_description_new();
    pango_font_description_set_family(font, kFamily);
    pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
    pango_layout_set_font_description(layout.get(), font);
    pango_font_description_free(font);
    pango_layout_set_width(layout.get(), static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
    pango_layout_set_spacing(layout.get(), static_cast<int>(size * 0.3 * PANGO_SCALE));
    pango_layout_set_text(layout.get(), text.c_str(), static_cast<int>(text.size()));
    return layout;
  }

  cairo_t* cr_;
};

std::string ItemLine(const LetterItem& item, std::size_t number) {
  std::string line = std::to_string(number) + ". " + item.label;
  if (item.resend) line += "（再送）";
  return line;
}

// The body: heading, greeting, the items with what to do, how and by when, the contact.
void DrawBody(Pen& pen, const PatientLetter& letter) {
  pen.Paragraph(JapaneseDate(letter.letter_date), 10.5, 4, false, PANGO_ALIGN_RIGHT);
  pen.Paragraph((letter.addressee.empty() ? std::string("お申込者") : letter.addressee) + " 様",
                13, 4, true);
  pen.Paragraph(letter.hospital + "\n" + letter.office, 10, 14, false, PANGO_ALIGN_RIGHT);
  pen.Paragraph("不足書類のご案内", 18, 12, true, PANGO_ALIGN_CENTER);
  pen.Paragraph("このたびはセカンドオピニオン外来にお申し込みいただき、ありがとうございます。" +
                    JapaneseDate(letter.received_date) +
                    "にお受け取りした書類を確認しましたところ、次の書類が不足しているか、"
                    "もう一度お送りいただく必要があります。お手数ですが、ご用意のうえお送りください。",
                10.5, 8);
  pen.Paragraph("受付番号: " + letter.case_id, 11, 8, true);
  for (std::size_t i = 0; i < letter.items.size(); ++i) {
    const LetterItem& item = letter.items[i];
    pen.Paragraph(ItemLine(item, i + 1), 11, 2, true, PANGO_ALIGN_LEFT, 8);
    if (!item.ask.empty()) pen.Paragraph(item.ask, 10, 6, false, PANGO_ALIGN_LEFT, 22);
  }
  pen.y += 4;
  pen.Paragraph("ご提出の期限: " + JapaneseDate(letter.deadline) + "まで", 11.5, 6, true);
  if (!letter.how_to_send.empty()) pen.Paragraph("送付方法: " + letter.how_to_send, 10, 6);
  std::string contact = "お問い合わせ・送付先: " + letter.office;
  if (!letter.address.empty()) contact += "\n" + letter.address;
  if (!letter.phone.empty()) contact += "\n電話 " + letter.phone;
  if (!letter.hours.empty()) contact += "（" + letter.hours + "）";
  pen.Paragraph(contact, 10, 6);
}

void DrawQr(cairo_t* cr, const QrSymbol& symbol, double x, double y, double side) {
  const double module = side / (symbol.size + 8);  // 4 modules of quiet zone on each side
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, x, y, side, side);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (int row = 0; row < symbol.size; ++row) {
    for (int col = 0; col < symbol.size; ++col) {
      if (!symbol.Dark(col, row)) continue;
      // A hair wider than a module, so that neighbours join without white seams when printed.
      cairo_rectangle(cr, x + (col + 4) * module, y + (row + 4) * module, module + 0.05,
                      module + 0.05);
    }
  }
  cairo_fill(cr);
}

// The reply slip from `top` to the foot of the page: a cut line, what it is, the case id, the
// items to tick, and the QR code.
Status DrawReplySlip(cairo_t* cr, Pen& pen, const PatientLetter& letter, double top) {
  auto symbol = EncodeQr(ReplySlipPayload(letter.case_id));
  RETURN_IF_ERROR(symbol);
  const double dash[] = {4.0, 3.0};
  cairo_set_dash(cr, dash, 2, 0);
  cairo_set_line_width(cr, 0.6);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_move_to(cr, kMargin / 2, top);
  cairo_line_to(cr, kPageWidth - kMargin / 2, top);
  cairo_stroke(cr);
  cairo_set_dash(cr, nullptr, 0, 0);
  pen.Text("キリトリ線", kMargin, top + 2, 7.5, 80);
  const double left_width = kTextWidth - kQrSide - 12;
  double y = top + 18;
  y += pen.Text("返信用紙", kMargin, y, 15, left_width, true) + 4;
  y += pen.Text("この用紙を切り取り、お送りいただく書類の一番上に重ねてください。", kMargin, y,
                9.5, left_width) +
       6;
  y += pen.Text("受付番号: " + letter.case_id, kMargin, y, 12, left_width, true) + 4;
  y += pen.Text("お名前: " + (letter.addressee.empty() ? std::string("　　　　　　　　") :
                                                       letter.addressee) + " 様",
                kMargin, y, 11, left_width) +
       6;
  y += pen.Text("同封した書類に印を付けてください:", kMargin, y, 9.5, left_width) + 2;
  for (std::size_t i = 0; i < letter.items.size(); ++i) {
    y += pen.Text("□ " + ItemLine(letter.items[i], i + 1), kMargin + 8, y, 10.5, left_width - 8) +
         2;
  }
  DrawQr(cr, *symbol, kPageWidth - kMargin - kQrSide, top + 22, kQrSide);
  pen.Text("受付番号のQRコード", kPageWidth - kMargin - kQrSide, top + 24 + kQrSide, 7.5, kQrSide,
           false, PANGO_ALIGN_CENTER);
  return Status::Ok();
}

cairo_status_t AppendBytes(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

std::string JapaneseDate(const std::string& iso_date) {
  if (iso_date.size() != 10 || iso_date[4] != '-' || iso_date[7] != '-') return iso_date;
  const auto number = [&](std::size_t at, std::size_t n) {
    return std::to_string(std::stoi(iso_date.substr(at, n)));
  };
  try {
    return number(0, 4) + "年" + number(5, 2) + "月" + number(8, 2) + "日";
  } catch (const std::exception&) {  // std::stoi on a non-number: not an ISO date after all
    return iso_date;
  }
}

Status WritePatientLetter(const std::filesystem::path& path, const PatientLetter& letter) {
  std::string bytes;
  cairo_surface_t* surface =
      cairo_pdf_surface_create_for_stream(&AppendBytes, &bytes, kPageWidth, kPageHeight);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, "不足書類のご案内");
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "intake");
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE,
                                 (letter.letter_date + "T00:00:00").c_str());
  cairo_t* cr = cairo_create(surface);
  Pen pen(cr);
  DrawBody(pen, letter);
  // The slip goes at the foot of the first page when the body leaves room, else on a page of
  // its own.
  // The slip's height: its heading lines, then a line per item, at least the QR code's room.
  const double slip_height =
      std::max(kQrSide + 60, 130.0 + 17.0 * static_cast<double>(letter.items.size()));
  double slip_top = kPageHeight - kMargin / 2 - slip_height;
  if (pen.y + 8 > slip_top) {
    cairo_show_page(cr);
    pen.y = kMargin;
    slip_top = kMargin;
  }
  Status drawn = DrawReplySlip(cr, pen, letter, slip_top);
  cairo_show_page(cr);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  const cairo_status_t status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  RETURN_IF_ERROR(drawn);
  if (status != CAIRO_STATUS_SUCCESS) {
    return Status::Fail(std::string("the letter could not be drawn: ") +
                        cairo_status_to_string(status));
  }
  return WriteFileAtomically(path, bytes);
}

}  // namespace intake::letter
