// What Tesseract's page reading gets wrong on forms, and the ocr/ adapter mends: choices marked
// in drawn boxes, ticked, or ringed by hand (written into the text as ■ / □ from the pixels; a
// table cell is no ring) and a large letter-spaced title
// at the top of the page (read again on its own). Pages drawn with pango/cairo; fictional text.
#include <cairo.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "ocr/ocr_pool.h"
#include "ocr/openmp_env.h"
#include "ocr_test_support.h"

namespace intake::ocr {
namespace {

namespace fs = std::filesystem;
using intake::testing::DrawLines;
using intake::testing::FreshTempDir;
using intake::testing::WithoutSpaces;

class OcrFormsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto pool = OcrPool::Create({.languages = "jpn", .tessdata_dir = "", .workers = 1});
    if (pool.ok()) jpn_ = pool.value().release();
  }
  static void TearDownTestSuite() {
    delete jpn_;
    jpn_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(jpn_, nullptr) << "Japanese OCR data missing (scripts/setup.sh)";
    dir_ = FreshTempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Read(const fs::path& png) {
    auto results = jpn_->RecognizeAll({{.path = png}});
    EXPECT_EQ(results.size(), 1u);
    if (results.empty() || !results[0].ok()) return {};
    return WithoutSpaces(results[0]->text);
  }

  static OcrPool* jpn_;
  fs::path dir_;
};
OcrPool* OcrFormsTest::jpn_ = nullptr;

// One form row: a label, then options each after a drawn box (filled when marked), 300 dpi-like
// sizes (glyphs 36 px, boxes 32 px).
struct Option {
  std::string text;
  bool marked;
};
void DrawChoiceRow(cairo_t* cr, double y, const std::string& label,
                   const std::vector<Option>& options) {
  DrawLines(cr, {label}, 36, 60, y);
  double x = 420;
  for (const auto& o : options) {
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 2.5);
    cairo_rectangle(cr, x, y + 10, 32, 32);
    if (o.marked) {
      cairo_fill(cr);
    } else {
      cairo_stroke(cr);
    }
    DrawLines(cr, {o.text}, 36, x + 44, y);
    x += 44 + 40.0 * static_cast<double>(intake::text::CodepointLength(o.text)) + 60;
  }
}

TEST_F(OcrFormsTest, MarkedAndEmptyBoxesAreWrittenIntoTheText) {
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1700, 700);
  cairo_t* cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  DrawLines(cr, {"セカンドオピニオン外来申込書", "患者氏名　山田　太郎"}, 36, 60, 40);
  DrawChoiceRow(cr, 300, "受診者",
                {{"本人", false}, {"本人と家族", false}, {"家族のみ", true}});
  DrawChoiceRow(cr, 420, "同居・別居", {{"同居", true}, {"別居", false}});
  cairo_destroy(cr);
  const fs::path png = dir_ / "form.png";
  ASSERT_EQ(cairo_surface_write_to_png(surface, png.c_str()), CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy(surface);

  const std::string text = Read(png);
  EXPECT_NE(text.find("■家族のみ"), std::string::npos) << text;
  EXPECT_NE(text.find("□本人"), std::string::npos) << text;
  EXPECT_NE(text.find("□本人と家族"), std::string::npos) << text;
  EXPECT_NE(text.find("■同居"), std::string::npos) << text;
  EXPECT_NE(text.find("□別居"), std::string::npos) << text;
  EXPECT_EQ(text.find("■本人"), std::string::npos) << text;
  // The text of the page is not touched elsewhere.
  EXPECT_NE(text.find("患者氏名"), std::string::npos) << text;
}

// Options with a hollow box each, the chosen one ticked by hand (overshooting its box; with
// `into_word`, on into the option's first glyph, so box, tick and glyph are one blot of ink).
void DrawTickedRow(cairo_t* cr, double y, const std::string& label,
                   const std::vector<Option>& options, bool into_word = false) {
  DrawLines(cr, {label}, 36, 60, y);
  double x = 420;
  for (const auto& o : options) {
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 2.5);
    cairo_rectangle(cr, x, y + 10, 32, 32);
    cairo_stroke(cr);
    if (o.marked) {
      cairo_set_line_width(cr, 4);
      cairo_move_to(cr, x + 4, y + 26);
      cairo_line_to(cr, x + 13, y + 37);
      if (into_word) {
        cairo_line_to(cr, x + 52, y - 2);
      } else {
        cairo_line_to(cr, x + 34, y + 7);
      }
      cairo_stroke(cr);
    }
    DrawLines(cr, {o.text}, 36, x + 44, y);
    x += 44 + 40.0 * static_cast<double>(intake::text::CodepointLength(o.text)) + 60;
  }
}

// Options as words alone, the chosen one ringed by hand; `cell` frames the row in a table cell.
// With `touching`, the row is a table's row whose rules the ring touches: the cell's top and
// bottom, and the rule between the label and the options.
void DrawRingedRow(cairo_t* cr, double y, const std::string& label,
                   const std::vector<Option>& options, bool cell = false,
                   bool touching = false) {
  DrawLines(cr, {label}, 36, 60, y);
  double x = 420;
  for (const auto& o : options) {
    const double width = 40.0 * static_cast<double>(intake::text::CodepointLength(o.text));
    DrawLines(cr, {o.text}, 36, x, y);
    if (o.marked) {
      cairo_save(cr);
      cairo_translate(cr, x + width / 2, y + 26);
      cairo_scale(cr, width / 2 + 14, 26);
      cairo_new_path(cr);
      cairo_arc(cr, 0, 0, 1, 0.2, 2 * M_PI + 0.45);
      cairo_restore(cr);
      cairo_set_line_width(cr, 3);
      cairo_stroke(cr);
    }
    x += width + 80;
  }
  if (cell) {
    cairo_set_line_width(cr, 2.5);
    cairo_rectangle(cr, 40, y - 20, x, 92);
    cairo_stroke(cr);
  }
  if (touching) {
    cairo_set_line_width(cr, 2.5);
    cairo_rectangle(cr, 40, y + 1, 1600, 50);
    cairo_move_to(cr, 405, y + 1);
    cairo_line_to(cr, 405, y + 51);
    cairo_stroke(cr);
  }
}

// A form page with a title, a name and the choice rows `draw` adds, written to `png`.
template <typename Draw>
void DrawForm(const fs::path& png, Draw draw) {
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1700, 700);
  cairo_t* cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  DrawLines(cr, {"セカンドオピニオン外来申込書", "患者氏名　山田　太郎"}, 36, 60, 40);
  draw(cr);
  cairo_destroy(cr);
  EXPECT_EQ(cairo_surface_write_to_png(surface, png.c_str()), CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy(surface);
}

TEST_F(OcrFormsTest, ATickedBoxIsAMarkedOne) {
  const fs::path png = dir_ / "ticked.png";
  DrawForm(png, [](cairo_t* cr) {
    DrawTickedRow(cr, 300, "受診者", {{"本人", false}, {"本人と家族", true}, {"家族のみ", false}});
    DrawTickedRow(cr, 420, "同居・別居", {{"同居", false}, {"別居", true}});
  });
  const std::string text = Read(png);
  EXPECT_NE(text.find("■本人と家族"), std::string::npos) << text;
  EXPECT_NE(text.find("□家族のみ"), std::string::npos) << text;
  EXPECT_NE(text.find("■別居"), std::string::npos) << text;
  EXPECT_EQ(text.find("■同居"), std::string::npos) << text;
}

TEST_F(OcrFormsTest, RingedWordsAreTheMarkedOption) {
  const fs::path png = dir_ / "ringed.png";
  DrawForm(png, [](cairo_t* cr) {
    DrawRingedRow(cr, 300, "受診者", {{"本人", false}, {"本人と家族", false}, {"家族のみ", true}});
    DrawRingedRow(cr, 460, "同居・別居", {{"同居", true}, {"別居", false}});
  });
  const std::string text = Read(png);
  EXPECT_NE(text.find("■家族のみ"), std::string::npos) << text;
  EXPECT_NE(text.find("■同居"), std::string::npos) << text;
  EXPECT_EQ(text.find("■本人"), std::string::npos) << text;
  EXPECT_EQ(text.find("■別居"), std::string::npos) << text;
}

TEST_F(OcrFormsTest, ATickThatRunsIntoItsWordIsStillAMark) {
  const fs::path png = dir_ / "ticked_into_word.png";
  DrawForm(png, [](cairo_t* cr) {
    DrawTickedRow(cr, 300, "同居・別居", {{"同居", false}, {"別居", true}}, true);
    DrawTickedRow(cr, 420, "受診者", {{"本人", true}, {"家族のみ", false}}, true);
  });
  const std::string text = Read(png);
  EXPECT_NE(text.find("□同居■"), std::string::npos) << text;
  EXPECT_EQ(text.find("■同居"), std::string::npos) << text;
  // The tick over 本's first strokes may leave a glyph read between the mark and the word.
  EXPECT_NE(text.find("受診者■"), std::string::npos) << text;
  EXPECT_NE(text.find("本人□家族のみ"), std::string::npos) << text;
  EXPECT_EQ(text.find("■家族のみ"), std::string::npos) << text;
}

TEST_F(OcrFormsTest, RingedWordsThatTouchTheTableAreTheMarkedOption) {
  const fs::path png = dir_ / "ringed_in_table.png";
  DrawForm(png, [](cairo_t* cr) {
    DrawRingedRow(cr, 300, "受診者", {{"本人", true}, {"本人と家族", false}, {"家族のみ", false}},
                  false, true);
    DrawRingedRow(cr, 460, "同居・別居", {{"同居", false}, {"別居", true}}, false, true);
  });
  const std::string text = Read(png);
  // The first option ringed (what is left of the ring's edge may read as a bracket beside it).
  const auto marked = text.find("■");
  EXPECT_NE(marked, std::string::npos) << text;
  EXPECT_LT(marked, text.find("本人□本人と家族")) << text;
  EXPECT_NE(text.find("■別居"), std::string::npos) << text;
  EXPECT_EQ(text.find("■同居"), std::string::npos) << text;
  EXPECT_EQ(text.find("■家族のみ"), std::string::npos) << text;
}

TEST_F(OcrFormsTest, ATableCellAroundWordsIsNoRing) {
  const fs::path png = dir_ / "cell.png";
  DrawForm(png, [](cairo_t* cr) {
    DrawRingedRow(cr, 300, "受診者", {{"本人", false}, {"家族のみ", false}}, true);
  });
  const std::string text = Read(png);
  EXPECT_EQ(text.find("■"), std::string::npos) << text;
  EXPECT_NE(text.find("家族のみ"), std::string::npos) << text;
}

TEST_F(OcrFormsTest, ARingWithASpeckInItsBoxsCornerIsStillARing) {
  // A noisy or JPEG scan leaves a few pixels of the ring's ink in a corner of its box.
  const fs::path png = dir_ / "speckled_ring.png";
  DrawForm(png, [](cairo_t* cr) {
    DrawRingedRow(cr, 300, "同居・別居", {{"同居", false}, {"別居", true}});
    // 別居's ring: centre (620, 326), half-axes 54 and 26; a speck just outside its top right.
    cairo_new_path(cr);
    cairo_arc(cr, 620 + 54 * M_SQRT1_2 + 2.5, 326 - 26 * M_SQRT1_2 - 2.5, 1.5, 0, 2 * M_PI);
    cairo_fill(cr);
  });
  const std::string text = Read(png);
  EXPECT_NE(text.find("■別居"), std::string::npos) << text;
  EXPECT_EQ(text.find("■同居"), std::string::npos) << text;
}

// Specks of dust over what `cr` drew, as a dirty scan has them: a dark square of 2 or 3 pixels in
// every 600 or so.
void Speckle(cairo_t* cr) {
  cairo_surface_t* surface = cairo_get_target(cr);
  cairo_surface_flush(surface);
  unsigned char* data = cairo_image_surface_get_data(surface);
  const int width = cairo_image_surface_get_width(surface);
  const int height = cairo_image_surface_get_height(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  unsigned seed = 5;
  const auto next = [&seed](int range) {
    seed = seed * 1103515245u + 12345u;
    return static_cast<int>((seed >> 8) % static_cast<unsigned>(range));
  };
  for (int i = 0; i < width * height / 600; ++i) {
    const int x = next(width - 3), y = next(height - 3), size = 2 + next(2);
    for (int dy = 0; dy < size; ++dy) {
      for (int dx = 0; dx < size; ++dx) {
        unsigned char* p = data + (y + dy) * stride + (x + dx) * 4;
        p[0] = p[1] = p[2] = 30;
      }
    }
  }
  cairo_surface_mark_dirty(surface);
}

// On a speckled scan, specks above and below the lines stretch Tesseract's boxes of them (36-pixel
// glyphs in lines 78 pixels high), and a ring round a word, a little taller than the glyphs,
// seemed too small for one; read again as one line across the page's width, the ringed row's
// specks were glyphs that pulled its confidence below what is kept. Rings are sized by the
// glyphs' height, and the row is read without its specks.
TEST_F(OcrFormsTest, RingedWordsOnASpeckledScanAreStillTheMarkedOption) {
  const fs::path png = dir_ / "speckled_rings.png";
  DrawForm(png, [](cairo_t* cr) {
    DrawRingedRow(cr, 300, "受診者", {{"本人", false}, {"本人と家族", false}, {"家族のみ", true}});
    DrawRingedRow(cr, 460, "同居・別居", {{"同居", true}, {"別居", false}});
    Speckle(cr);
  });
  const std::string text = Read(png);
  EXPECT_NE(text.find("■家族のみ"), std::string::npos) << text;
  EXPECT_NE(text.find("■同居"), std::string::npos) << text;
  EXPECT_EQ(text.find("■別居"), std::string::npos) << text;
}

TEST_F(OcrFormsTest, PlainTextGetsNoMarks) {
  const fs::path png = dir_ / "text.png";
  ASSERT_TRUE(intake::testing::WriteTextPng(
      png, {"口腔外科　田中　国男", "日本国民健康保険　回答書"}, 1200, 300, 36));
  const std::string text = Read(png);
  EXPECT_EQ(text.find("■"), std::string::npos) << text;
  EXPECT_EQ(text.find("□"), std::string::npos) << text;
}

TEST_F(OcrFormsTest, ALargeLetterSpacedTitleIsReadWhole) {
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 2480, 1200);
  cairo_t* cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  DrawLines(cr, {"相　談　同　意　書"}, 80, 860, 120);
  DrawLines(cr,
            {"東都大学医学部附属病院長　殿",
             "私は、下記の家族が私に代わって私の病状・治療について相談することに同意します。",
             "令和8年11月1日", "住所　東京都千代田区九段北九丁目1番", "氏名　山田　太郎"},
            36, 160, 400);
  cairo_destroy(cr);
  const fs::path png = dir_ / "consent.png";
  ASSERT_EQ(cairo_surface_write_to_png(surface, png.c_str()), CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy(surface);
  const std::string text = Read(png);
  EXPECT_NE(text.find("相談同意書"), std::string::npos) << text;
}

}  // namespace
}  // namespace intake::ocr

int main(int argc, char** argv) {
  intake::ocr::ReexecWithOpenMpThreadLimit(argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
