// Taking a scanned page's image out of its PDF: PDFs written by hand in the test (one image over
// the page, turned, with other things drawn), each taken image compared with Poppler's drawing of
// the same page.
#include "pdf/pdf_scan_image.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "ocr_test_support.h"
#include "pdf_test_support.h"
#include "pdf/pdf_render.h"

namespace intake::pdf {
namespace {

namespace fs = std::filesystem;
using intake::testing::FreshTempDir;
using intake::testing::Stream;
using intake::testing::WritePdf;

// A `width` x `height` image: white, with a black square in its top-left corner (so that its
// orientation shows) and, when `colour`, a red band and a blue band across its middle.
struct TestImage {
  int width = 200;
  int height = 300;
  bool colour = false;

  std::string Pixels() const {
    std::string out;
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) {
        const bool mark = x < width / 5 && y < height / 5;
        unsigned char r = mark ? 0 : 255, g = r, b = r;
        if (colour && y >= height / 2 && y < height / 2 + 10) g = b = 0;       // red
        if (colour && y >= height / 2 + 20 && y < height / 2 + 30) r = g = 0;  // blue
        out += static_cast<char>(r);
        if (colour) {
          out += static_cast<char>(g);
          out += static_cast<char>(b);
        }
      }
    }
    return out;
  }

  std::string XObject() const {
    const std::string data = Pixels();
    return "<< /Type /XObject /Subtype /Image /Width " + std::to_string(width) + " /Height " +
           std::to_string(height) + " /ColorSpace " + (colour ? "/DeviceRGB" : "/DeviceGray") +
           " /BitsPerComponent 8 /Length " + std::to_string(data.size()) + " >>\nstream\n" + data +
           "\nendstream";
  }
};

// What a page holds.
struct TestPage {
  double width_pt = 144;  // 200 px at 100 dpi
  double height_pt = 216;
  int rotate = 0;  // the page's /Rotate
  std::string content = "q 144 0 0 216 0 0 cm /Im0 Do Q";
  std::string extra = "";      // more of the page dictionary
  std::string resources = "";  // more resources
  TestImage image;
};

fs::path WriteScan(const fs::path& dir, const TestPage& page, const std::string& name = "scan") {
  const fs::path path = dir / (name + ".pdf");
  char box[96];
  std::snprintf(box, sizeof box, "[0 0 %g %g]", page.width_pt, page.height_pt);
  WritePdf(path, {"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                  "<< /Type /Page /Parent 2 0 R /MediaBox " + std::string(box) + " /Rotate " +
                      std::to_string(page.rotate) +
                      " /Resources << /XObject << /Im0 5 0 R >> /Font << /F1 << /Type /Font "
                      "/Subtype /Type1 /BaseFont /Helvetica >> >> " +
                      page.resources + " >> /Contents 4 0 R " + page.extra + " >>",
                  Stream(page.content), page.image.XObject()});
  return path;
}

// The image turned as it says, as a person sees the page.
ocr::GrayImage Upright(const ocr::GrayImage& image) {
  ocr::GrayImage out = image;
  for (int t = 0; t < ((image.quarter_turns % 4) + 4) % 4; ++t) {
    ocr::GrayImage turned;
    turned.width = out.height;
    turned.height = out.width;
    turned.stride = turned.width;
    turned.pixels.resize(out.pixels.size());
    for (int y = 0; y < out.height; ++y) {
      for (int x = 0; x < out.width; ++x) {  // clockwise: (x, y) -> (h - 1 - y, x)
        turned.pixels[static_cast<std::size_t>(x) * turned.stride + (out.height - 1 - y)] =
            out.pixels[static_cast<std::size_t>(y) * out.stride + x];
      }
    }
    out = std::move(turned);
  }
  out.quarter_turns = 0;
  return out;
}

// The centre of the dark pixels, as a share of the width and height.
std::pair<double, double> DarkCentre(const ocr::GrayImage& image) {
  double sx = 0, sy = 0, n = 0;
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      if (image.pixels[static_cast<std::size_t>(y) * image.stride + x] < 128) {
        sx += x;
        sy += y;
        ++n;
      }
    }
  }
  if (n == 0) return {-1, -1};
  return {sx / n / image.width, sy / n / image.height};
}

// Takes the page's image and checks it stands and measures as Poppler draws the page.
void ExpectTakenAsDrawn(const fs::path& pdf, int expected_turns, int expected_dpi) {
  const std::optional<ocr::GrayImage> taken = TakeScannedImage(pdf, 0);
  ASSERT_TRUE(taken.has_value()) << "a plain scan is taken";
  EXPECT_EQ(taken->quarter_turns, expected_turns);
  EXPECT_EQ(taken->dpi, expected_dpi);
  const ocr::GrayImage upright = Upright(*taken);
  auto drawn = RenderPdfPage(pdf, 0, expected_dpi);
  ASSERT_TRUE(drawn.ok()) << drawn.message();
  EXPECT_NEAR(upright.width, drawn->width, 1);
  EXPECT_NEAR(upright.height, drawn->height, 1);
  const auto [tx, ty] = DarkCentre(upright);
  const auto [dx, dy] = DarkCentre(*drawn);
  EXPECT_NEAR(tx, dx, 0.02) << "the mark is where Poppler draws it";
  EXPECT_NEAR(ty, dy, 0.02);
}

TEST(TakeScannedImage, TakesAnUprightScanAtItsOwnResolution) {
  auto dir = FreshTempDir("scan_upright");
  const fs::path pdf = WriteScan(dir, TestPage{});
  ExpectTakenAsDrawn(pdf, 0, 100);
  const auto taken = TakeScannedImage(pdf, 0);
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->width, 200);
  EXPECT_EQ(taken->height, 300);
  EXPECT_EQ(taken->pixels[0], 0) << "the mark, top left";
  EXPECT_EQ(taken->pixels.back(), 255);
}

TEST(TakeScannedImage, TurnsPagesAsTheyAreShown) {
  auto dir = FreshTempDir("scan_turned");
  for (int rotate : {90, 180, 270}) {
    SCOPED_TRACE(rotate);
    TestPage page;
    page.rotate = rotate;
    ExpectTakenAsDrawn(WriteScan(dir, page, "rotate" + std::to_string(rotate)), rotate / 90, 100);
  }
  // The image itself placed upside down, and placed sideways on a landscape page.
  TestPage upside_down;
  upside_down.content = "q -144 0 0 -216 144 216 cm /Im0 Do Q";
  ExpectTakenAsDrawn(WriteScan(dir, upside_down, "cm180"), 2, 100);
  TestPage sideways;
  sideways.width_pt = 216;
  sideways.height_pt = 144;
  sideways.content = "q 0 -144 216 0 0 144 cm /Im0 Do Q";  // row 0 runs down the right edge
  ExpectTakenAsDrawn(WriteScan(dir, sideways, "cm90"), 1, 100);
  sideways.content = "q 0 144 -216 0 216 0 cm /Im0 Do Q";  // row 0 runs up the left edge
  ExpectTakenAsDrawn(WriteScan(dir, sideways, "cm270"), 3, 100);
}

TEST(TakeScannedImage, KeepsTheRedChannelOfColourScans) {
  auto dir = FreshTempDir("scan_colour");
  TestPage page;
  page.image.colour = true;
  const auto taken = TakeScannedImage(WriteScan(dir, page), 0);
  ASSERT_TRUE(taken);
  auto at = [&](int x, int y) { return taken->pixels[static_cast<std::size_t>(y) * 200 + x]; };
  EXPECT_EQ(at(100, 155), 255) << "red fades to paper, as a red seal should";
  EXPECT_EQ(at(100, 175), 0) << "blue ink stays dark";
}

TEST(TakeScannedImage, MarksOneBitScansBilevel) {
  auto dir = FreshTempDir("scan_bilevel");
  // 200 x 300 one-bit pixels, 1 = white (DeviceGray), the top-left 40 x 60 black.
  std::string data;
  for (int y = 0; y < 300; ++y) {
    for (int byte = 0; byte < 25; ++byte) {
      data += static_cast<char>(y < 60 && byte < 5 ? 0x00 : 0xFF);
    }
  }
  TestPage page;
  const fs::path pdf = dir / "fax.pdf";
  WritePdf(pdf, {"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 144 216] /Resources << /XObject << "
                 "/Im0 5 0 R >> >> /Contents 4 0 R >>",
                 Stream(page.content),
                 "<< /Type /XObject /Subtype /Image /Width 200 /Height 300 /ColorSpace "
                 "/DeviceGray /BitsPerComponent 1 /Length " +
                     std::to_string(data.size()) + " >>\nstream\n" + data + "\nendstream"});
  const auto taken = TakeScannedImage(pdf, 0);
  ASSERT_TRUE(taken);
  EXPECT_TRUE(taken->bilevel);
  EXPECT_EQ(taken->pixels[0], 0);
  EXPECT_EQ(taken->pixels[199], 255);
  EXPECT_FALSE(TakeScannedImage(WriteScan(dir, page), 0)->bilevel) << "8-bit grey is not";
}

TEST(TakeScannedImage, AllowsAnInvisibleTextLayer) {
  auto dir = FreshTempDir("scan_ocr_layer");
  TestPage page;
  page.content += " BT /F1 12 Tf 3 Tr 10 100 Td (Referral letter) Tj ET";
  EXPECT_TRUE(TakeScannedImage(WriteScan(dir, page), 0).has_value());
}

TEST(TakeScannedImage, DrawsPagesThatShowMoreThanTheScan) {
  auto dir = FreshTempDir("scan_more");
  const std::string image = "q 144 0 0 216 0 0 cm /Im0 Do Q";
  struct Case {
    std::string name;
    std::string content;
    std::string extra = "";
    double width_pt = 144;
    std::string resources = "";
  };
  const std::vector<Case> cases = {
      {"visible_text", image + " BT /F1 12 Tf 10 100 Td (Signed) Tj ET"},
      {"a_line", image + " 0 0 m 100 100 l S"},
      {"a_filled_box", "0 0 10 10 re f " + image},
      {"half_the_page", "q 72 0 0 108 0 0 cm /Im0 Do Q"},
      {"two_images", image + " " + image},
      {"clipped", "0 0 72 216 re W n " + image},
      {"half_transparent", "/GS1 gs " + image, "", 144, "/ExtGState << /GS1 << /ca 0.5 >> >>"},
      {"at_an_angle", "q 124.7 72 -108 187 50 0 cm /Im0 Do Q"},
      {"mirrored", "q -144 0 0 216 144 0 cm /Im0 Do Q"},
      {"not_square_pixels", "q 288 0 0 216 0 0 cm /Im0 Do Q", "", 288},
      {"an_annotation", image,
       "/Annots [<< /Type /Annot /Subtype /Square /Rect [10 10 50 50] /C [1 0 0] >>]"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    TestPage page;
    page.content = c.content;
    page.width_pt = c.width_pt;
    page.extra = c.extra;
    page.resources = c.resources;
    const fs::path pdf = WriteScan(dir, page, c.name);
    EXPECT_FALSE(TakeScannedImage(pdf, 0).has_value());
    EXPECT_TRUE(PdfPageForOcr(pdf, 0, 100).ok()) << "the page is drawn instead";
  }
}

TEST(TakeScannedImage, DrawsScansTooCoarseToReadAsTheyAre) {
  auto dir = FreshTempDir("scan_coarse");
  TestPage page;  // 200 x 300 px over 4 x 6 inches: 50 dpi
  page.width_pt = 288;
  page.height_pt = 432;
  page.content = "q 288 0 0 432 0 0 cm /Im0 Do Q";
  EXPECT_FALSE(TakeScannedImage(WriteScan(dir, page), 0).has_value());
}

TEST(TakeScannedImage, GivesNothingForWhatIsNotAPage) {
  auto dir = FreshTempDir("scan_bad");
  const fs::path pdf = WriteScan(dir, TestPage{});
  EXPECT_FALSE(TakeScannedImage(pdf, 1).has_value()) << "there is no second page";
  EXPECT_FALSE(TakeScannedImage(pdf, -1).has_value());
  EXPECT_FALSE(TakeScannedImage(dir / "missing.pdf", 0).has_value());
  const fs::path garbage = dir / "garbage.pdf";
  std::ofstream(garbage) << "%PDF-1.4\nnot really";
  EXPECT_FALSE(TakeScannedImage(garbage, 0).has_value());
  // A file cut short in the image's stream: taken as far as it goes, or drawn; never a crash
  // (this part fails under the sanitizers, not by an expectation).
  TestPage short_page;
  const fs::path cut = WriteScan(dir, short_page, "cut");
  std::string bytes;
  {
    std::ifstream in(cut, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::ofstream(cut, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() / 2);
  (void)TakeScannedImage(cut, 0);
  (void)PdfPageForOcr(cut, 0, 100);
}

}  // namespace
}  // namespace intake::pdf
