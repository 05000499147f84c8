// Closed fields (ocr::ClosedField): a form's short answers in a handwriting-like face, misread by
// Tesseract's page reading, read again alone where the label is followed by none of the answers.
// Pages drawn with pango/cairo; fictional text.
#include <cairo.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "ocr/ocr_pool.h"
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
  cairo_surface_t* surface = cairo_image_surface_create(
      CAIRO_FORMAT_RGB24, 1700, 200 + 110 * static_cast<int>(rows.size()));
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
          {"希望診療科", "総合診療科"},  // not in the list: left as read
          {"希望診療科", "乳腺・内分泌外科"},  // 乳腺・内分淡外科 on the page
          {"希望診療科", "呼吸器内科"},
          {"希望診療科", "脳神経外科"},
          {"希望診療科", "血液・腫瘍内科"}};
}

std::vector<ClosedField> TestFields() {
  return {{{"続柄"}, {"妻", "夫", "長女", "長男", "次男", "次女", "母", "父", "孫", "姉", "妹",
                     "兄", "弟", "子", "娘"}},
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

}  // namespace
}  // namespace intake::ocr
