// Test data and attachments written by clinics: the surgery attachment form (診療情報提供書別紙),
// physiological tests (ECG, spirometry, EEG), imaging and pathology reports, and the pharmacy's
// drug information sheet. All fictional; each carries its type's keywords of the default profile.
#include <cstdio>
#include <string>
#include <vector>

#include "samples/generator/blocks.h"

namespace intake::samplegen {
namespace {

// "12.3" with `decimals` digits after the point.
std::string Number(double value, int decimals) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

FieldBlock Signed(const std::string& label, const std::string& name) {
  return FieldBlock{label, name, FamilyName(name), false};
}

std::string Age(const SampleSpec& spec) {
  return std::to_string(AgeAt(spec.patient.birth_date, spec.referral.date)) + "歳";
}

}  // namespace

DocumentContent SurgeryAttachmentForm(const SampleSpec& spec, Variation& v) {
  const Referral& r = spec.referral;
  PageContent page;
  page.blocks = {
      TitleBlock{"診療情報提供書別紙"},
      Small("（一般外科　腹膜播種を伴う胃癌のセカンドオピニオン用）", Align::kCenter),
      Right(JapaneseEraDate(r.date)),
      Field("紹介元", r.clinic),
      Signed("記入医師", r.physician),
      SpacerBlock{6},
      Field("患者氏名", spec.patient.name),
      Field("生年月日", JapaneseEraDate(spec.patient.birth_date)),
      SpacerBlock{6},
      Heading("原発巣（胃癌）"),
      Field("部位", v.OneOf<std::string>({"胃体中部", "胃前庭部", "胃体上部～中部"})),
      Field("組織型", v.OneOf<std::string>(
                          {"低分化腺癌（por）", "印環細胞癌（sig）", "中分化管状腺癌（tub2）"})),
      Field("診断日", JapaneseEraDate(r.test_date)),
      SpacerBlock{6},
      Heading("腹膜播種"),
      Field("診断方法", v.OneOf<std::string>({"審査腹腔鏡", "造影CT", "審査腹腔鏡および造影CT"})),
      Field("腹膜播種の程度",
            v.OneOf<std::string>({"P1（腹膜播種あり）", "P1c（遠隔腹膜に散在）"})),
      Field("腹水", v.OneOf<std::string>({"なし", "少量", "中等量"})),
      Field("腹腔洗浄細胞診", v.OneOf<std::string>({"CY1（陽性）", "CY0（陰性）"})),
      SpacerBlock{6},
      Heading("これまでの化学療法"),
  };
  TableBlock table;
  table.column_weights = {5, 3, 3, 2};
  table.rows = {{"レジメン", "開始", "終了", "最良効果"},
                {v.OneOf<std::string>({"S-1＋オキサリプラチン", "カペシタビン＋オキサリプラチン"}),
                 "令和8年5月", "継続中", v.OneOf<std::string>({"SD", "PR"})}};
  page.blocks.push_back(table);
  page.blocks.push_back(SpacerBlock{8});
  page.blocks.push_back(
      Small("※腹膜播種を伴う胃癌のご相談では、この別紙を診療情報提供書に添えてください。"));
  return {"surgery_attachment_form", {page}, {}};
}

DocumentContent PhysiologicalTest(const SampleSpec& spec, Variation& v) {
  const Referral& r = spec.referral;
  PageContent page;
  const int kind = v.Pick(3);
  const std::vector<std::string> titles = {"心電図検査報告書", "呼吸機能検査報告書",
                                           "脳波検査報告書"};
  page.blocks = {
      TitleBlock{titles[static_cast<std::size_t>(kind)]},
      SpacerBlock{6},
      Field("患者氏名", spec.patient.name),
      Field("患者番号", spec.patient_id),
      Field("年齢・性別", Age(spec) + kSpace + spec.patient.sex),
      Field("検査日", JapaneseEraDate(r.test_date)),
      Field("依頼元", r.clinic),
      SpacerBlock{8},
  };
  TableBlock table;
  table.column_weights = {4, 3, 3};
  std::string findings;
  std::string variant;
  if (kind == 0) {
    variant = "ecg";
    page.blocks.push_back(Heading("12誘導心電図（ECG）"));
    const int rate = 58 + v.Pick(30);
    table.rows = {{"項目", "測定値", "基準"},
                  {"心拍数", std::to_string(rate) + " bpm", "50～100"},
                  {"PR間隔", std::to_string(140 + v.Pick(40)) + " ms", "120～200"},
                  {"QRS幅", std::to_string(80 + v.Pick(24)) + " ms", "120未満"},
                  {"QTc", std::to_string(390 + v.Pick(40)) + " ms", "450未満"},
                  {"電気軸", "+" + std::to_string(20 + v.Pick(50)) + "°", "-30～+90"}};
    findings = v.OneOf<std::string>({"洞調律。明らかなST-T変化を認めない。正常範囲。",
                                     "洞調律。軽度の左軸偏位を認める。ST-T変化なし。",
                                     "洞性徐脈。その他に有意な異常を認めない。"});
  } else if (kind == 1) {
    variant = "spirometry";
    page.blocks.push_back(Heading("スパイロメトリー"));
    const double vc = v.Between(2.4, 4.2);
    const double fev1 = vc * v.Between(0.62, 0.84);
    table.rows = {
        {"項目", "実測値", "予測値比"},
        {"VC（肺活量）", Number(vc, 2) + " L", Number(v.Between(78, 112), 1) + " %"},
        {"FVC（努力肺活量）", Number(vc * 0.97, 2) + " L", Number(v.Between(76, 110), 1) + " %"},
        {"FEV1（1秒量）", Number(fev1, 2) + " L", Number(v.Between(70, 105), 1) + " %"},
        {"FEV1%（1秒率）", Number(100 * fev1 / (vc * 0.97), 1) + " %", "70 %以上"}};
    findings = v.OneOf<std::string>({"換気機能は正常範囲です。", "軽度の閉塞性換気障害を認めます。",
                                     "拘束性換気障害は認めません。"});
  } else {
    variant = "eeg";
    page.blocks.push_back(Heading("脳波（EEG）"));
    table.rows = {{"項目", "結果", "備考"},
                  {"記録状態", "安静覚醒・閉眼", "光刺激・過呼吸あり"},
                  {"基礎律動", "α波 " + std::to_string(9 + v.Pick(3)) + " Hz", "後頭部優位"},
                  {"徐波", "なし", ""},
                  {"突発性異常波", v.OneOf<std::string>({"なし", "なし（睡眠時記録なし）"}), ""}};
    findings =
        v.OneOf<std::string>({"正常範囲の脳波です。", "明らかなてんかん性放電を認めません。"});
  }
  page.blocks.push_back(table);
  page.blocks.push_back(SpacerBlock{8});
  page.blocks.push_back(Heading("判定"));
  page.blocks.push_back(Paragraph(findings));
  page.blocks.push_back(SpacerBlock{10});
  page.blocks.push_back(Signed("判読医", r.physician));
  return {"physiological_test", {page}, variant};
}

DocumentContent ImagingReport(const SampleSpec& spec, Variation& v) {
  const Referral& r = spec.referral;
  const bool mri = v.Pick(3) == 2;
  const std::string title = v.OneOf<std::string>({"画像診断報告書", "読影レポート"});
  PageContent page;
  page.blocks = {
      TitleBlock{title},
      SpacerBlock{6},
      Field("患者氏名", spec.patient.name),
      Field("患者番号", spec.patient_id),
      Field("年齢・性別", Age(spec) + kSpace + spec.patient.sex),
      Field("検査日", JapaneseEraDate(r.test_date)),
      Field("検査",
            mri ? v.OneOf<std::string>({"MRI（上腹部・造影）", "MRI（頭部・単純）"})
                : v.OneOf<std::string>({"CT（胸腹部・造影）", "CT（腹部骨盤・単純＋造影）"})),
      Field("依頼元", r.clinic + kSpace + r.physician),
      SpacerBlock{8},
      Heading("臨床情報"),
      Paragraph(r.diagnosis + "。治療方針の検討のため。"),
      SpacerBlock{6},
      Heading("所見"),
      Paragraph(v.OneOf<std::string>({
          "病変部に不整な壁肥厚を認め、造影にて濃染を示す。周囲リンパ節の軽度腫大を認める。"
          "肝臓に明らかな占拠性病変を認めない。胸水・腹水は認めない。",
          "前回検査と比較して、病変の大きさに著変を認めない。新たな病変の出現は指摘できない。"
          "骨条件で明らかな溶骨性変化を認めない。",
          "両肺に明らかな結節影を認めない。縦隔リンパ節の腫大なし。腹部臓器に特記すべき異常を"
          "認めない。",
      })),
      SpacerBlock{6},
      Heading("診断"),
      Paragraph(v.OneOf<std::string>(
          {"1．原疾患として矛盾しない所見。2．遠隔転移を示唆する所見なし。",
           "前回と比較して著変なし（SD相当）。", "明らかな再発所見を認めない。"})),
      SpacerBlock{10},
      Signed("読影医", v.OneOf<std::string>({"放射線科　青木　直樹", "放射線科　森　由香"})),
  };
  return {"imaging_report", {page}, mri ? "mri" : "ct"};
}

DocumentContent PathologyReport(const SampleSpec& spec, Variation& v) {
  const Referral& r = spec.referral;
  char specimen[32];
  std::snprintf(specimen, sizeof specimen, "S26-%05d", 1000 + v.Pick(90000));
  PageContent page;
  page.blocks = {
      TitleBlock{v.OneOf<std::string>({"病理組織診断報告書", "病理診断報告書"})},
      SpacerBlock{6},
      Field("標本番号", specimen),
      Field("患者氏名", spec.patient.name),
      Field("年齢・性別", Age(spec) + kSpace + spec.patient.sex),
      Field("採取日", JapaneseEraDate(r.test_date)),
      Field("依頼元", r.clinic + kSpace + r.physician),
      Field("提出臓器", v.OneOf<std::string>({"胃（内視鏡的生検）", "大腸（内視鏡的生検）",
                                              "肺（気管支鏡下生検）", "乳腺（針生検）"})),
      Field("臨床診断", r.diagnosis),
      SpacerBlock{8},
      Heading("病理診断"),
      Paragraph(v.OneOf<std::string>({"Adenocarcinoma, moderately differentiated (tub2).",
                                      "Adenocarcinoma, poorly differentiated (por).",
                                      "Invasive ductal carcinoma, scirrhous type."})),
      SpacerBlock{6},
      Heading("組織所見"),
      Paragraph(v.OneOf<std::string>({
          "生検検体3個。異型腺管が不規則に癒合しながら増殖しており、中分化管状腺癌と判断します。"
          "脈管侵襲は評価できません。",
          "採取された組織の一部に、腺腔形成に乏しい異型細胞の充実性増殖を認めます。"
          "低分化腺癌の所見です。",
          "線維性間質を伴って異型細胞が索状に浸潤しています。免疫染色の結果は別紙のとおりです。",
      })),
      SpacerBlock{10},
      Field("報告日", JapaneseEraDate(r.date)),
      Signed("病理医", v.OneOf<std::string>({"病理診断科　石井　聡", "病理診断科　原田　美穂"})),
  };
  return {"pathology_report", {page}, {}};
}

DocumentContent DrugInformationSheet(const SampleSpec& spec, Variation& v) {
  PageContent page;
  page.blocks = {
      TitleBlock{"薬剤情報提供書"},
      SpacerBlock{6},
      Field("患者氏名", spec.patient.name + kSpace + "様"),
      Field("調剤日", JapaneseEraDate(spec.referral.date)),
      Field("処方医療機関", spec.referral.clinic),
      Field("薬局", v.OneOf<std::string>({"本郷九丁目薬局（架空）", "みどり台九丁目薬局（架空）"})),
      SpacerBlock{8},
  };
  TableBlock table;
  table.column_weights = {4, 3, 2, 4};
  table.rows = {{"薬品名", "用法・用量", "日分", "主な効能"}};
  const std::vector<std::string> effects = {"胃酸の分泌を抑えます", "血圧を下げます",
                                            "便通を整えます", "痛みを和らげます"};
  for (const std::string& line : spec.referral.prescriptions) {
    table.rows.push_back({line, "1日1回　1錠", "28日分", v.OneOf(effects)});
  }
  page.blocks.push_back(table);
  page.blocks.push_back(SpacerBlock{8});
  page.blocks.push_back(
      Small("お薬の用法・用量を守ってお飲みください。ご不明な点は薬剤師にお尋ねください。"));
  return {"medication_list", {page}, "drug_information"};
}

}  // namespace intake::samplegen
