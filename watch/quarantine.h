// Why a submission went to the quarantine: the watcher's reason codes and their Japanese text.
//
// These are not findings (pipeline/findings.h): a finding describes a case, a quarantine reason
// says why no case could be made. The reason file (reason.txt) beside the quarantined original
// gives the code, the Japanese title, the details and the command to try again.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "watch/journal.h"

namespace intake::watch {

struct QuarantineReason {
  std::string_view code;
  std::string_view title_ja;
};

inline constexpr QuarantineReason kUnreadableSubmission{
    "UNREADABLE_SUBMISSION", "提出物を読み込めませんでした（権限またはファイルの破損）"};
inline constexpr QuarantineReason kProcessingFailed{"PROCESSING_FAILED",
                                                    "処理中にエラーが発生しました"};
inline constexpr QuarantineReason kPublishFailed{
    "PUBLISH_FAILED", "ケースフォルダーを出力先に書き込めませんでした（容量・権限を確認）"};
inline constexpr QuarantineReason kAuditFailed{"AUDIT_FAILED", "監査記録を書き込めませんでした"};
inline constexpr QuarantineReason kCrashedRepeatedly{"CRASHED_REPEATEDLY",
                                                     "処理中にプログラムが繰り返し停止しました"};
inline constexpr QuarantineReason kWorkCopyMissing{
    "WORK_COPY_MISSING", "作業領域に提出物が見つかりません（手作業で移動された可能性）"};
inline constexpr QuarantineReason kTimeLimit{
    "TIME_LIMIT", "処理が制限時間内に終わらなかったため中断しました（ファイルの読み取りで停止）"};

std::optional<QuarantineReason> LookupQuarantineReason(std::string_view code);

// The text of reason.txt for a quarantined entry (code, title, details, journal id, how to retry).
std::string QuarantineReasonText(const JournalEntry& entry);

}  // namespace intake::watch
