// Pages of no document type the profile knows ("other"), as they turn up in a scanned envelope:
// the clinic's cover letter (送付状, which names the documents it encloses), the envelope's front
// scanned by mistake, and an almost blank page.
#include <string>
#include <vector>

#include "samples/generator/blocks.h"

namespace intake::samplegen {

DocumentContent CoverLetter(const SampleSpec& spec, Variation& v) {
  const Referral& r = spec.referral;
  PageContent page;
  TitleBlock title{v.OneOf<std::string>({"書類送付のご案内", "送付状", "送付書"})};
  page.blocks = {
      Right(JapaneseEraDate(r.date)),
      Paragraph(std::string(kHospital) + kSpace + "地域医療連携センター" + kSpace + "御中", 0),
      SpacerBlock{6},
      Right(r.clinic),
      Right(r.clinic_address),
      Right(std::string("TEL") + kSpace + r.clinic_phone),
      SpacerBlock{10},
      title,
      SpacerBlock{6},
      Paragraph(v.OneOf<std::string>({
                    "拝啓　時下ますますご清祥のこととお慶び申し上げます。平素より格別のご高配を"
                    "賜り厚く御礼申し上げます。下記の書類をお送りいたしますので、ご査収のほど"
                    "よろしくお願い申し上げます。",
                    "いつもお世話になっております。下記のとおり書類をお送りいたします。"
                    "ご確認のほどよろしくお願いいたします。",
                }),
                0),
      SpacerBlock{8},
      TextBlock{"記", 11, Align::kCenter, false, 0},
  };
  TableBlock table;
  table.column_weights = {6, 2};
  // The enclosed documents by name: one title of a profile type among generic items, as a
  // clinic writes them.
  table.rows = {
      {"書類", "数量"},
      {v.OneOf<std::string>({"診療情報提供書", "検査データ一式", "画像データ（CD-R）"}), "1通"},
      {v.OneOf<std::string>({"検査データ一式", "画像データ（CD-R）", "お薬の情報"}), "1部"}};
  page.blocks.push_back(table);
  page.blocks.push_back(SpacerBlock{8});
  page.blocks.push_back(Right("以上"));
  page.blocks.push_back(Right("担当" + std::string(kSpace) + r.physician));
  return {"other", {page}, "cover_letter"};
}

DocumentContent Envelope(const SampleSpec& spec, Variation& v) {
  const Person& sender = spec.patient;
  PageContent page;
  page.blocks = {
      SpacerBlock{v.Between(30, 120)},
      TitleBlock{kHospital, 24, Align::kLeft},
      TitleBlock{"地域医療連携センター", 20, Align::kLeft},
      TitleBlock{"セカンドオピニオン外来" + std::string(kSpace) + "御中", 20, Align::kLeft},
      SpacerBlock{40},
      TitleBlock{v.OneOf<std::string>({"書類在中", "親展　書類在中", "重要書類在中"}), 16,
                 Align::kCenter},
      SpacerBlock{v.Between(60, 200)},
      Small(sender.address),
      Small(sender.name),
  };
  return {"other", {page}, "envelope"};
}

DocumentContent BlankPage(const SampleSpec& /*spec*/, Variation& v) {
  PageContent page;
  const int kind = v.Pick(3);
  if (kind == 0) {
    page.blocks = {SpacerBlock{v.Between(40, 300)},
                   TextBlock{"以下余白", 11, Align::kRight, false, 0}};
  } else if (kind == 1) {
    page.blocks = {SpacerBlock{v.Between(200, 400)},
                   TextBlock{"（このページは白紙です）", 11, Align::kCenter, false, 0}};
  } else {
    page.blocks = {SpacerBlock{700}, TextBlock{"- " + std::to_string(3 + v.Pick(5)) + " -", 10,
                                               Align::kCenter, false, 0}};
  }
  return {"other", {page}, "blank"};
}

}  // namespace intake::samplegen
