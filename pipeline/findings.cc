#include "pipeline/findings.h"

#include <array>

namespace intake {
namespace {

constexpr std::array kFindingCodes{
    FindingCodeInfo{"ENCRYPTED_ARCHIVE", Severity::kError, true,
                    "暗号化（パスワード付き）された圧縮ファイルは開けません"},
    FindingCodeInfo{"UNSAFE_PATH", Severity::kWarning, false,
                    "安全でないパスを含むファイルを展開しませんでした"},
    FindingCodeInfo{"ARCHIVE_LIMIT_EXCEEDED", Severity::kError, true,
                    "圧縮ファイルが上限（サイズ・件数・階層）を超えています"},
    FindingCodeInfo{"CORRUPT_FILE", Severity::kWarning, false, "壊れているファイルがあります"},
    FindingCodeInfo{"PAGE_LIMIT_EXCEEDED", Severity::kWarning, false,
                    "ページ数が上限を超えたため、一部のページを読み取っていません"},
    FindingCodeInfo{"UNSUPPORTED_FILE", Severity::kInfo, false,
                    "対応していない形式のファイルがあります"},
    FindingCodeInfo{"EMPTY_SUBMISSION", Severity::kError, true,
                    "提出物に読み取れる書類がありません"},
    FindingCodeInfo{"DUPLICATE_SUBMISSION", Severity::kWarning, false,
                    "同じ提出物が以前にも処理されています"},
    FindingCodeInfo{"DICOM_UNREADABLE", Severity::kWarning, false,
                    "読み取れないDICOMファイルがあります"},
    FindingCodeInfo{"DICOMDIR_MISMATCH", Severity::kWarning, false,
                    "DICOMDIRの内容とディスク上のファイルが一致しません"},
    FindingCodeInfo{"NON_DICOM_IMAGES", Severity::kWarning, false,
                    "DICOM形式ではない画像（スクリーンショット等）が含まれています"},
    FindingCodeInfo{"VIEWER_SOFTWARE", Severity::kInfo, false,
                    "画像ビューア等のソフトウェアが含まれています（実行していません）"},
    FindingCodeInfo{"MULTIPLE_PATIENTS", Severity::kError, false,
                    "画像データに複数の患者が含まれています"},
    FindingCodeInfo{"PATIENT_MISMATCH", Severity::kError, false,
                    "書類と画像データの患者情報が一致しません"},
    FindingCodeInfo{"LOW_OCR_CONFIDENCE", Severity::kWarning, false,
                    "文字認識の確度が低いページがあります（目視確認してください）"},
    FindingCodeInfo{"OCR_TIME_LIMIT", Severity::kWarning, false,
                    "文字認識が制限時間内に終わらなかったページがあります（目視確認してください）"},
    FindingCodeInfo{"OUT_OF_MEMORY", Severity::kWarning, false,
                    "メモリが足りず読み取れなかったページがあります（再処理してください）"},
    FindingCodeInfo{"OUTPUT_DISK_FULL", Severity::kError, false,
                    "出力先のディスクの空きがなく、保存できなかったものがあります"},
    FindingCodeInfo{"GLASS_SLIDES", Severity::kError, false,
                    "病理標本（プレパラート）は受け付けていません"},
    FindingCodeInfo{"MY_NUMBER", Severity::kWarning, false,
                    "個人番号（マイナンバー）が記載された書類があります"},
    FindingCodeInfo{"EXCLUDED_CASE", Severity::kError, true,
                    "セカンドオピニオンの対象外となる可能性があります"},
    FindingCodeInfo{"FOLLOWUP_MATCHED", Severity::kWarning, false,
                    "追加書類を患者さんの氏名と生年月日でこのケースに加えました（確認してください）"},
    FindingCodeInfo{"FOLLOWUP_UNMATCHED", Severity::kWarning, false,
                    "追加書類と思われますが、どのケースのものか分かりません"},
};

}  // namespace

std::span<const FindingCodeInfo> AllFindingCodes() { return kFindingCodes; }

std::optional<FindingCodeInfo> LookupFindingCode(std::string_view code) {
  for (const auto& info : kFindingCodes) {
    if (info.code == code) return info;
  }
  return std::nullopt;
}

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "info";
}

}  // namespace intake
