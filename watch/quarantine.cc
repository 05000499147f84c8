#include "watch/quarantine.h"

#include <array>

namespace intake::watch {

namespace {

constexpr std::array kReasons{
#define INTAKE_QUARANTINE(id, name, title_ja, meaning) \
  QuarantineReason{QuarantineCode::id, name, title_ja, meaning},
#include "watch/quarantine_reasons.def"
#undef INTAKE_QUARANTINE
};

}  // namespace

std::span<const QuarantineReason> AllQuarantineReasons() { return kReasons; }

const QuarantineReason& QuarantineInfo(QuarantineCode code) {
  return kReasons[static_cast<std::size_t>(code)];
}

std::string_view QuarantineCodeName(QuarantineCode code) { return QuarantineInfo(code).code; }

std::optional<QuarantineReason> LookupQuarantineReason(std::string_view code) {
  for (const auto& r : kReasons)
    if (r.code == code) return r;
  return std::nullopt;
}

std::string QuarantineReasonText(const JournalEntry& entry) {
  const auto reason = LookupQuarantineReason(entry.reason_code);
  std::string text;
  text += "コード: " + entry.reason_code + "\n";
  text += "理由: " + std::string(reason ? reason->title_ja : "不明な理由") + "\n";
  if (!entry.reason.empty()) text += "詳細: " + entry.reason + "\n";
  text += "受付番号: " + std::to_string(entry.id) + "\n";
  if (!entry.case_id.empty()) text += "ケースID: " + entry.case_id + "\n";
  text += "処理回数: " + std::to_string(entry.attempts) + "\n";
  text += "日時: " + entry.updated_at + "\n";
  if (entry.reason_code == QuarantineCodeName(QuarantineCode::kTimeLimit)) {
    text +=
        "\n詳細の stage は止まった処理の段階、file はそのとき読んでいたファイルの番号です（f0001 "
        "から順に、フォルダーはパス名の順、圧縮ファイルの中身はそのあとに続きます）。一時的な"
        "負荷が原因であれば、下のコマンドでそのまま再処理できます。再び止まる場合は、そのファイル"
        "が開けるか確認してください。\n";
  }
  text +=
      "\n原因を取り除いたあと、次のコマンドで再処理できます（元のファイルは original/ "
      "にあります）:\n";
  text += "  intake retry " + std::to_string(entry.id) + " --out <出力フォルダー>\n";
  return text;
}

}  // namespace intake::watch
