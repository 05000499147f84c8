#include "stages/reply_slip.h"

#include <string>

#include "barcode/qr_reader.h"
#include "letter/reply_slip.h"
#include "ocr/page_image.h"
#include "pipeline/log.h"

namespace intake::stages {
namespace {

class ReplySlipStage final : public Stage {
 public:
  std::string_view name() const override { return "reply_slip"; }

  Status Run(Case& c) override {
    int found = 0;
    for (Page& page : c.pages) {
      if (page.read_image.empty()) continue;
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
    Log()->info("case {} reply slips: {} page(s) of {}", c.id, found, c.pages.size());
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Stage> MakeReplySlipStage() { return std::make_unique<ReplySlipStage>(); }

}  // namespace intake::stages
