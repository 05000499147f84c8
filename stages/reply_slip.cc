#include "stages/reply_slip.h"

#include <string>

#include "barcode/qr_reader.h"
#include "letter/reply_slip.h"
#include "ocr/page_image.h"
#include "pipeline/log.h"

namespace intake::stages {
namespace {

// Below this OCR confidence (0..1; LOW_OCR_CONFIDENCE's default) a page's text cannot tell that it
// is no slip: its image is searched whatever the text says.
constexpr double kTrustTextFrom = 0.6;

// Whether the page's image is worth a QR search: a scanned page whose text may be the slip's or
// is too unsure to say (the search takes ~40 ms a page; a slip is one page of an envelope).
bool WorthSearching(const Page& page) {
  if (page.read_image.empty()) return false;
  if (!page.ocr_confidence || *page.ocr_confidence < kTrustTextFrom) return true;
  return letter::MayShowReplySlip(page.text);
}

class ReplySlipStage final : public Stage {
 public:
  std::string_view name() const override { return "reply_slip"; }

  Status Run(Case& c) override {
    int found = 0;
    int searched = 0;
    for (Page& page : c.pages) {
      if (!WorthSearching(page)) continue;
      ++searched;
      auto image = ocr::ReadGrayImage(page.read_image);
      if (!image.ok()) continue;
      const barcode::GreyView view{image->pixels.data(), image->width, image->height,
                                   image->stride};
      for (const std::string& text : barcode::ReadQrCodes(view)) {
        if (auto id = letter::CaseIdFromReplySlip(text)) {
          page.reply_slip_case = *id;
          ++found;
          break;
        }
      }
    }
    Log()->info("case {} reply slips: {} page(s) of {} ({} searched for a QR code)", c.id, found,
                c.pages.size(), searched);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Stage> MakeReplySlipStage() { return std::make_unique<ReplySlipStage>(); }

}  // namespace intake::stages
