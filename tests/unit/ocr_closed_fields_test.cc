// Closed fields (ocr::ClosedField): a form's short answers in a handwriting-like face, misread by
// Tesseract's page reading, read again alone where the label is followed by none of the answers.
// Pages drawn with pango/cairo; fictional text.
#include <cairo.h>
#include <gtest/gtest.h>
#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>

#include <filesystem>
#include <string>
#include <vector>

#include "ocr/field_reread.h"
#include "ocr/ocr_pool.h"
#include "ocr/page_reader.h"
#include "ocr_test_support.h"

namespace intake::ocr {
namespace {

namespace fs = std::filesystem;
using intake::testing::DrawLines;
using intake::testing::FreshTempDir;
using intake::testing::WithoutSpaces;

struct Row {
  std::string label;
  std::string answer;
};

// A form of `rows`: labels in Noto Sans CJK JP at 36 px, answers in `hand` at `px`.
bool DrawForm(const fs::path& png, const std::vector<Row>& rows, const char* hand, double px) {
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1700,
                                                        200 + 110 * static_cast<int>(rows.size()));
  cairo_t* cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  double y = 100;
  for (const Row& r : rows) {
    DrawLines(cr, {r.label}, 36, 100, y);
    DrawLines(cr, {r.answer}, px, 620, y - 4, hand);
    y += 110;
  }
  cairo_destroy(cr);
  const bool ok = cairo_surface_write_to_png(surface, png.c_str()) == CAIRO_STATUS_SUCCESS;
  cairo_surface_destroy(surface);
  return ok;
}

// The rows of a form: a printed label, the answer in the hand-like YOzN face at 30 px.
std::vector<Row> FormRows() {
  return {{"続柄", "妻"},
          {"続柄", "夫"},
          {"続柄", "長女"},
          {"続柄", "次男"},
          {"続柄", "母"},
          {"続柄", "孫"},
          {"続柄", "いとこ"},  // no answer of the test's list: left as read
          {"続柄", "姉"},
          {"患者との同居", "別居"},
          {"患者との同居", "同居"},
          {"希望診療科", "総合診療科"},        // not in the list: left as read
          {"希望診療科", "乳腺・内分泌外科"},  // 乳腺・内分淡外科 on the page
          {"希望診療科", "呼吸器内科"},
          {"希望診療科", "脳神経外科"},
          {"希望診療科", "血液・腫瘍内科"}};
}

std::vector<ClosedField> TestFields() {
  return {{{"続柄"},
           {"妻", "夫", "長女", "長男", "次男", "次女", "母", "父", "孫", "姉", "妹", "兄", "弟",
            "子", "娘"}},
          {{"患者との同居"}, {"同居", "別居"}},
          {{"希望診療科"},
           {"泌尿器科", "乳腺・内分泌外科", "呼吸器内科", "脳神経外科", "消化器内科", "総合内科",
            "小児科", "一般外科", "血液・腫瘍内科"}}};
}

// Each row's answer as read: what follows the label on the line that holds it.
std::vector<std::string> Answers(const std::string& text, const std::vector<Row>& rows) {
  std::vector<std::string> lines;
  std::string line;
  for (const char c : text + "\n") {
    if (c != '\n') {
      line += c;
      continue;
    }
    if (!WithoutSpaces(line).empty()) lines.push_back(WithoutSpaces(line));
    line.clear();
  }
  std::vector<std::string> answers;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::string& read = i < lines.size() ? lines[i] : std::string();
    const auto at = read.find(rows[i].label);
    answers.push_back(at == std::string::npos ? "(no label) " + read
                                              : read.substr(at + rows[i].label.size()));
  }
  return answers;
}

TEST(OcrClosedFields, MisreadAnswersAreReadAgainAndOthersLeftAsRead) {
  const fs::path dir = FreshTempDir("closed_fields");
  const std::vector<Row> rows = FormRows();
  const fs::path png = dir / "form.png";
  ASSERT_TRUE(DrawForm(png, rows, "YOzN", 30));
  OcrOptions options;
  options.workers = 1;
  auto plain = OcrPool::Create(options);
  options.closed_fields = TestFields();
  auto closed = OcrPool::Create(options);
  ASSERT_TRUE(plain.ok() && closed.ok()) << "Japanese OCR data missing (scripts/setup.sh)";
  auto first = (*plain)->RecognizeAll({{.path = png}});
  auto again = (*closed)->RecognizeAll({{.path = png}});
  ASSERT_TRUE(first[0].ok() && again[0].ok());

  const std::vector<std::string> as_read = Answers(first[0]->text, rows);
  const std::vector<std::string> mended = Answers(again[0]->text, rows);
  int misread = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(mended[i], rows[i].answer) << "row " << i << "; first read as " << as_read[i];
    if (as_read[i] != rows[i].answer) ++misread;
  }
  // Without the closed fields an answer is misread (so this test shows the reading again).
  EXPECT_GE(misread, 1) << first[0]->text;
  fs::remove_all(dir);
}

// A page of one printed label at (100, 100) and `answer` at (400, 100), 36 px, in `face`, on grey paper;
// with `specks`, dark dots of 6 px scattered right of the answer, as a noisy scan has.
PixPtr DrawAnswerPage(const fs::path& png, const std::string& label, const std::string& answer,
                      bool specks, const char* face = "YOzN") {
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1400, 400);
  cairo_t* cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
  cairo_paint(cr);
  DrawLines(cr, {label}, 36, 100, 100);
  DrawLines(cr, {answer}, 36, 400, 100, face);
  DrawLines(cr, {"患者との同居　別居"}, 36, 100, 220);
  unsigned seed = 7;
  const auto next = [&seed](unsigned range) {
    seed = seed * 1103515245u + 12345u;
    return static_cast<double>((seed >> 8) % range);
  };
  for (int i = 0; specks && i < 40; ++i) {
    cairo_arc(cr, 560 + next(700), 60 + next(130), 3, 0, 6.3);
    cairo_fill(cr);
  }
  cairo_destroy(cr);
  cairo_surface_write_to_png(surface, png.c_str());
  cairo_surface_destroy(surface);
  return PixPtr(pixRead(png.c_str()));
}

// A page reading of one line: `words` as given, its box around them all.
PageReading ReadingOf(const std::vector<OcrWord>& words) {
  ReadLine read;
  read.line.left = words.front().left;
  read.line.top = words.front().top;
  int right = 0;
  int bottom = 0;
  for (const OcrWord& w : words) {
    read.line.left = std::min(read.line.left, w.left);
    read.line.top = std::min(read.line.top, w.top);
    right = std::max(right, w.left + w.width);
    bottom = std::max(bottom, w.top + w.height);
    read.line.text += (read.line.text.empty() ? "" : " ") + w.text;
  }
  read.line.width = right - read.line.left;
  read.line.height = bottom - read.line.top;
  read.line.words = words;
  PageReading reading;
  reading.lines.push_back(read);
  reading.text = read.line.text;
  return reading;
}

class RereadClosedFieldsTest : public intake::testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    ASSERT_EQ(engine_.Init(nullptr, "jpn", tesseract::OEM_LSTM_ONLY), 0)
        << "Japanese OCR data missing (scripts/setup.sh)";
  }
  tesseract::TessBaseAPI engine_;
};

// Tesseract's line box on a noisy scan ran on into the next row (its words start again at the
// left); the answer 長女 was read as 長. The rest of the label's row alone is read again, from
// its ink (the specks right of it left out), and the next row's words are kept.
TEST_F(RereadClosedFieldsTest, TheLabelsRowIsReadAgainWhenTheLineRunsOnIntoTheNext) {
  PixPtr page = DrawAnswerPage(dir_ / "wrapped.png", "続柄", "長女", /*specks=*/true);
  ASSERT_TRUE(page);
  PageReading reading = ReadingOf({{100, 105, 75, 45, "続柄"},
                                   {400, 105, 80, 45, "長"},
                                   {100, 225, 20, 45, "、"},
                                   {125, 225, 180, 45, "患との同居"},
                                   {340, 225, 75, 45, "別居"}});
  ASSERT_TRUE(RereadClosedFields(engine_, page.get(), reading, TestFields(), kNoDeadline));
  EXPECT_EQ(WithoutSpaces(reading.text), "続柄長女、患との同居別居");
  ASSERT_EQ(reading.lines[0].line.words.size(), 5U);
  EXPECT_EQ(reading.lines[0].line.words[1].text, "長女");
  EXPECT_EQ(reading.lines[0].line.words[3].text, "患との同居");
}

// A field of a shape (a date): the rest of the row read again is kept only when it has the shape.
TEST_F(RereadClosedFieldsTest, AFieldOfAShapeTakesAReadingOfThatShapeOnly) {
  const std::vector<ClosedField> fields{{{"生年月日"}, {}, [](const std::string& text) {
                                           return text.starts_with("昭和") &&
                                                  text.ends_with("日") &&
                                                  text.find("年") != std::string::npos;
                                         }}};
  PixPtr date = DrawAnswerPage(dir_ / "date.png", "生年月日", "昭和25年7月26日", false);
  ASSERT_TRUE(date);
  PageReading reading = ReadingOf({{100, 105, 150, 45, "生年月日"}, {400, 105, 290, 45, "0'"}});
  ASSERT_TRUE(RereadClosedFields(engine_, date.get(), reading, fields, kNoDeadline));
  EXPECT_EQ(WithoutSpaces(reading.text), "生年月日昭和25年7月26日");

  PixPtr blank = DrawAnswerPage(dir_ / "no_date.png", "生年月日", "未記入", false);
  ASSERT_TRUE(blank);
  PageReading unchanged = ReadingOf({{100, 105, 150, 45, "生年月日"}, {400, 105, 290, 45, "0'"}});
  EXPECT_FALSE(RereadClosedFields(engine_, blank.get(), unchanged, fields, kNoDeadline));
  EXPECT_EQ(unchanged.text, "生年月日 0'");
}

// A date's numbers misread on the page (13日 as 3日, as a Tesseract page reading drops a digit)
// are read again from the answer's ink alone; the Latin model's reading of that ink holds 13,
// so 13 stands. Read right on the page, or without the Latin model, nothing changes.
TEST_F(RereadClosedFieldsTest, ADatesNumbersMisreadOnThePageAreSettledByItsInkAlone) {
  const std::vector<ClosedField> fields{{{"生年月日"}, {}, [](const std::string& text) {
                                           return text.starts_with("昭和") &&
                                                  text.ends_with("日") &&
                                                  text.find("年") != std::string::npos;
                                         }}};
  tesseract::TessBaseAPI latin;
  ASSERT_EQ(latin.Init(nullptr, "eng", tesseract::OEM_LSTM_ONLY), 0)
      << "English OCR data missing (scripts/setup.sh)";
  const DigitReader digit_reader = [&latin] { return &latin; };
  PixPtr date = DrawAnswerPage(dir_ / "date.png", "生年月日", "昭和38年1月13日", false,
                               "Noto Sans CJK JP");
  ASSERT_TRUE(date);
  const std::vector<OcrWord> misread{{100, 105, 150, 45, "生年月日"},
                                     {400, 105, 290, 45, "昭和38年1月3日"}};
  PageReading reading = ReadingOf(misread);
  ASSERT_TRUE(
      RereadClosedFields(engine_, date.get(), reading, fields, kNoDeadline, digit_reader));
  EXPECT_EQ(WithoutSpaces(reading.text), "生年月日昭和38年1月13日");

  PageReading right = ReadingOf({misread[0], {400, 105, 290, 45, "昭和38年1月13日"}});
  EXPECT_FALSE(RereadClosedFields(engine_, date.get(), right, fields, kNoDeadline, digit_reader));
  PageReading without_latin = ReadingOf(misread);
  EXPECT_FALSE(RereadClosedFields(engine_, date.get(), without_latin, fields, kNoDeadline,
                                  [] { return nullptr; }));
  EXPECT_EQ(WithoutSpaces(without_latin.text), "生年月日昭和38年1月3日");
}

}  // namespace
}  // namespace intake::ocr
