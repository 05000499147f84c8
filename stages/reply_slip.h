// Reply slip stage: finds the letter's reply slip (letter/reply_slip.h) on a scanned page by its QR
// code, read with zxing-cpp (barcode/) from the page image OCR kept, and marks the page
// (Page::reply_slip_case) so that classification leaves it out of the documents; the follow-up
// decision (followup/followup.h) takes the case id from it. Runs after OCR, before classify. A
// page with a text layer is not looked at, nor one whose OCR text shows none of the slip's words
// (letter::MayShowReplySlip) unless it read too badly to tell (confidence below 0.6).
#pragma once

#include <memory>

#include "pipeline/stage.h"

namespace intake::stages {

std::unique_ptr<Stage> MakeReplySlipStage();

}  // namespace intake::stages
