#include "samples/generator/content.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>

#include "samples/generator/blocks.h"

namespace intake::samplegen {
namespace {

const Person& FamilyPerson(const SampleSpec& spec) { return spec.family->person; }

// --- one function per document type ------------------------------------------------------

DocumentContent ReferralLetter(const SampleSpec& spec, Variation& v) {
  const Referral& r = spec.referral;
  const Person& p = spec.patient;
  // Page markers: at the top ("（1/2）", "1/2") or as a footer ("- 1 -").
  const int marker = v.Pick(3);
  const std::string first_marker = marker == 0 ? "（1/2）" : marker == 1 ? "1/2" : "";
  const std::string second_marker = marker == 0 ? "（2/2）" : marker == 1 ? "2/2" : "";
  const std::string honorific = v.OneOf<std::string>({"御侍史", "御机下"});
  PageContent first;
  first.blocks = {
      Small(first_marker, Align::kRight),
      TitleBlock{"診療情報提供書"},
      Right(JapaneseEraDate(r.date)),
      Field("紹介先医療機関",
            std::string(kHospital) + kSpace + "セカンドオピニオン外来" + kSpace + honorific),
      SpacerBlock{6},
      Field("紹介元", r.clinic),
      Field("所在地", r.clinic_address),
      Field("電話", r.clinic_phone),
      FieldBlock{"医師氏名", r.physician, FamilyName(r.physician), false},
      SpacerBlock{10},
      Field("患者氏名", p.name),
      Field("生年月日", JapaneseEraDate(p.birth_date) + "（" +
                            std::to_string(AgeAt(p.birth_date, r.date)) + "歳）"),
      Field("性別", p.sex),
      Field("傷病名", r.diagnosis),
      Field("紹介目的", r.purpose),
      SpacerBlock{8},
      Heading("既往歴及び家族歴"),
      Paragraph(r.history),
      SpacerBlock{6},
      Heading("症状経過及び検査結果"),
      Paragraph(r.course),
  };
  if (marker == 2) {
    first.blocks.erase(first.blocks.begin());  // no marker on top
    first.blocks.push_back(Small("- 1 -", Align::kCenter));
  }
  PageContent second;
  second.blocks = {
      Small(second_marker), SpacerBlock{6},        Field("患者氏名", p.name),
      SpacerBlock{8},       Heading("治療経過"),   Paragraph(r.treatment),
      SpacerBlock{6},       Heading("現在の処方"),
  };
  for (const std::string& line : r.prescriptions) second.blocks.push_back(Paragraph(line));
  second.blocks.push_back(SpacerBlock{6});
  second.blocks.push_back(Heading("備考"));
  second.blocks.push_back(Paragraph(r.remarks));
  second.blocks.push_back(SpacerBlock{24});
  second.blocks.push_back(Right("以上"));
  second.blocks.push_back(Right(r.clinic + kSpace + r.physician));
  if (marker == 2) {
    second.blocks.erase(second.blocks.begin());
    second.blocks.push_back(Small("- 2 -", Align::kCenter));
  }
  return {"referral_letter", {first, second}, {}};
}

DocumentContent ApplicationForm(const SampleSpec& spec, Variation& v) {
  const Person& p = spec.patient;
  const Application& a = spec.application;
  PageContent page;
  page.blocks = {
      TitleBlock{"セカンドオピニオン外来申込書"},
      Small(std::string(kHospital) + "長" + kSpace + "殿"),
      SpacerBlock{4},
      Field("申込日", JapaneseEraDate(a.date)),
      SpacerBlock{6},
      Heading("患者さんについて"),
      Field("患者氏名", p.name),
      Field("フリガナ", p.kana),
      Field("生年月日", JapaneseEraDate(p.birth_date)),
      Field("性別", p.sex),
      Field("住所", p.address),
      Field("電話番号（日中連絡先）", p.phone),
      SpacerBlock{6},
      Heading("ご相談について"),
      Field("希望診療科", a.department),
      Field("現在の主治医", spec.referral.clinic + kSpace + spec.referral.physician),
  };
  // Who attends and living together: written out, or as checkboxes (■ marks the answer).
  const bool checkboxes = v.Pick(2) == 1;
  auto options = [&](const std::vector<std::string>& choices, const std::string& chosen) {
    std::string out;
    for (const auto& choice : choices) {
      if (!out.empty()) out += kSpace;
      out += (choice == chosen ? "■" : "□") + choice;
    }
    return out;
  };
  page.blocks.push_back(
      Field("受診者", checkboxes ? options({"患者本人", "患者本人と家族", "家族のみ"}, a.attendee)
                                 : a.attendee));
  if (a.attendee != "患者本人" && spec.family) {
    const FamilyMember& f = *spec.family;
    page.blocks.push_back(
        Field("受診する家族の氏名", f.person.name + kSpace + "続柄" + kSpace + f.relation));
    const std::string living = f.living_together ? "同居" : "別居";
    page.blocks.push_back(
        Field("患者との同居", checkboxes ? options({"同居", "別居"}, living) : living));
  }
  page.blocks.push_back(Field("主治医の了承", checkboxes ? options({"有", "無"}, "有") : "有"));
  page.blocks.push_back(SpacerBlock{14});
  page.blocks.push_back(Small(
      "※この申込書にご記入いただいた個人情報は、セカンドオピニオン外来の運営にのみ使用します。"));
  return {"application_form", {page}, checkboxes ? "checkboxes" : "written"};
}

DocumentContent ConsultationSheet(const SampleSpec& spec, Variation& /*v*/) {
  const Consultation& c = spec.consultation;
  PageContent page;
  page.blocks = {
      TitleBlock{"セカンドオピニオン外来相談シート"},
      SpacerBlock{4},
      Field("記入日", JapaneseEraDate(spec.application.date)),
      Field("患者氏名", spec.patient.name),
      SpacerBlock{8},
      Heading("相談内容"),
      Paragraph(c.summary),
      SpacerBlock{8},
      Heading("質問事項"),
  };
  int number = 1;
  for (const std::string& question : c.questions) {
    page.blocks.push_back(Paragraph(std::to_string(number++) + "．" + question));
  }
  page.blocks.push_back(SpacerBlock{14});
  page.blocks.push_back(Small("※この相談シートは、担当医が事前に拝見します。"));
  return {"consultation_sheet", {page}, {}};
}

DocumentContent ConsentForm(const SampleSpec& spec, Variation& /*v*/) {
  const Person& p = spec.patient;
  PageContent page;
  page.blocks = {
      TitleBlock{"相談同意書"},
      Small(std::string(kHospital) + "長" + kSpace + "殿"),
      SpacerBlock{12},
      Paragraph("私は、家族が私に代わりセカンドオピニオンを受けることに同意します。", 0),
      SpacerBlock{12},
      Field("同意日", JapaneseEraDate(spec.application.date)),
      FieldBlock{"患者氏名（自署）", p.name, FamilyName(p.name), true},
      Field("生年月日", JapaneseEraDate(p.birth_date)),
  };
  if (spec.family) {
    page.blocks.push_back(SpacerBlock{6});
    page.blocks.push_back(Field("代わりに受診する家族", FamilyPerson(spec).name + kSpace + "（" +
                                                            spec.family->relation + "）"));
  }
  page.blocks.push_back(SpacerBlock{12});
  page.blocks.push_back(Small("※この同意書は、患者さんご本人が自署してください。"));
  return {"consent_form", {page}, {}};
}

// Lines of one person in the koseki: name, birth, parents, relation, and the birth entry.
std::vector<Block> KosekiPerson(const std::string& given, const Date& birth,
                                const std::string& parents, const std::string& relation) {
  return {
      SpacerBlock{6},
      TextBlock{"戸籍に記録されている者" + std::string(kSpace) + "【名】" + given, 11, Align::kLeft,
                true, 0},
      Paragraph("【生年月日】" + JapaneseEraDate(birth) + kSpace + parents + kSpace + "【続柄】" +
                relation),
      Paragraph("身分事項" + std::string(kSpace) + "出生" + kSpace + "【出生日】" +
                JapaneseEraDate(birth) + kSpace + "【出生地】東京都文京区"),
  };
}

DocumentContent Koseki(const SampleSpec& spec, Variation& /*v*/) {
  const Person& p = spec.patient;
  const std::string family_name = FamilyName(p.name);
  const std::string honseki = "東京都文京区本郷九丁目99番地";
  PageContent page;
  page.blocks = {
      TitleBlock{"全部事項証明書"},
      Small("（戸籍謄本）", Align::kCenter),
      SpacerBlock{8},
      Field("本籍", honseki),
      Field("筆頭者氏名", p.name),
      SpacerBlock{4},
      TextBlock{"戸籍事項", 11, Align::kLeft, true, 0},
      Paragraph("戸籍編製" + std::string(kSpace) + "【編製日】平成6年3月1日"),
  };
  const std::string head_parents = std::string("【父】") + family_name + kSpace + "一男" + kSpace +
                                   "【母】" + family_name + kSpace + "春子";
  const std::string head_relation = p.sex == "男" ? "長男" : "長女";
  for (Block& b : KosekiPerson(GivenName(p.name), p.birth_date, head_parents, head_relation)) {
    page.blocks.push_back(std::move(b));
  }
  if (spec.family) {
    const FamilyMember& f = *spec.family;
    const bool is_child = f.relation.ends_with("女") || f.relation.ends_with("男");
    std::string parents;
    if (is_child) {
      parents = p.sex == "男"
                    ? "【父】" + p.name + kSpace + "【母】" + family_name + kSpace + "恵子"
                    : "【父】" + family_name + kSpace + "正和" + kSpace + "【母】" + p.name;
    } else {
      parents = "【配偶者区分】" + f.relation;
    }
    for (Block& b :
         KosekiPerson(GivenName(f.person.name), f.person.birth_date, parents, f.relation)) {
      page.blocks.push_back(std::move(b));
    }
  }
  page.blocks.push_back(SpacerBlock{14});
  page.blocks.push_back(
      Paragraph("これは、戸籍に記録されている事項の全部を証明した書面である。", 0));
  page.blocks.push_back(Right(JapaneseEraDate(spec.referral.date)));
  page.blocks.push_back(FieldBlock{"", "東京都文京区長", "区長", false});
  return {"koseki", {page}, {}};
}

DocumentContent Juminhyo(const SampleSpec& spec, Variation& /*v*/) {
  const Person& p = spec.patient;
  PageContent page;
  page.blocks = {
      TitleBlock{"住民票の写し"}, SpacerBlock{6}, Field("住所", p.address),
      Field("世帯主", p.name),    SpacerBlock{6},
  };
  TableBlock table;
  table.column_weights = {3, 3, 1, 2, 3};
  table.rows = {{"氏名", "生年月日", "性別", "続柄", "住民となった年月日"},
                {p.name, JapaneseEraDate(p.birth_date), p.sex, "世帯主", "平成6年3月1日"}};
  if (spec.family) {
    const Person& f = FamilyPerson(spec);
    const std::string relation = spec.family->relation.ends_with("女")   ? "子"
                                 : spec.family->relation.ends_with("男") ? "子"
                                                                         : spec.family->relation;
    table.rows.push_back(
        {f.name, JapaneseEraDate(f.birth_date), f.sex, relation, JapaneseEraDate(f.birth_date)});
  }
  page.blocks.push_back(table);
  page.blocks.push_back(SpacerBlock{8});
  page.blocks.push_back(Small("個人番号の記載" + std::string(kSpace) + "省略"));
  page.blocks.push_back(SpacerBlock{12});
  page.blocks.push_back(Paragraph("この写しは、住民票の原本と相違ないことを証明する。", 0));
  page.blocks.push_back(Right(JapaneseEraDate(spec.referral.date)));
  page.blocks.push_back(FieldBlock{"", "東京都文京区長", "区長", false});
  return {"juminhyo", {page}, {}};
}

// One row of the blood test: the standard result (the samples), or one drawn around the
// reference range.
struct BloodItem {
  const char* name;
  double standard;
  double low;
  double high;
  int decimals;
  const char* unit;
  const char* reference;
};

std::vector<std::string> BloodRow(const BloodItem& item, Variation& v) {
  const double value = v.varied() ? v.Between(item.low * 0.75, item.high * 1.3) : item.standard;
  char result[32];
  std::snprintf(result, sizeof result, "%.*f", item.decimals, value);
  const char* judgement = value > item.high ? "H" : value < item.low ? "L" : "";
  return {item.name, result, item.unit, item.reference, judgement};
}

DocumentContent BloodTest(const SampleSpec& spec, Variation& v) {
  const Referral& r = spec.referral;
  PageContent page;
  page.blocks = {
      TitleBlock{"検査結果報告書"},
      Small(v.OneOf<std::string>({"（血液検査）", "（血液検査・生化学検査）"}), Align::kCenter),
      SpacerBlock{6},
      Field("患者氏名", spec.patient.name),
      Field("患者番号", spec.patient_id),
      Field("採取日", JapaneseEraDate(r.test_date)),
      Field("依頼元", r.clinic),
      SpacerBlock{8},
  };
  static const BloodItem kItems[] = {
      {"WBC（白血球数）", 6.8, 3.3, 8.6, 1, "×10^3/μL", "3.3～8.6"},
      {"RBC（赤血球数）", 4.21, 4.35, 5.55, 2, "×10^6/μL", "4.35～5.55"},
      {"Hb（ヘモグロビン）", 12.1, 13.7, 16.8, 1, "g/dL", "13.7～16.8"},
      {"PLT（血小板数）", 24.5, 15.8, 34.8, 1, "×10^4/μL", "15.8～34.8"},
      {"AST", 22, 13, 30, 0, "U/L", "13～30"},
      {"ALT", 18, 10, 42, 0, "U/L", "10～42"},
      {"CRP", 0.32, 0.0, 0.14, 2, "mg/dL", "0.00～0.14"},
      {"eGFR", 78.2, 60, 120, 1, "mL/分/1.73m2", "60以上"},
      {"CEA", 6.8, 0, 5.0, 1, "ng/mL", "5.0以下"},
  };
  TableBlock table;
  table.column_weights = {3, 2, 3, 3, 1};
  table.rows = {{"項目", "結果", "単位", "基準値", "判定"}};
  for (const BloodItem& item : kItems) table.rows.push_back(BloodRow(item, v));
  page.blocks.push_back(table);
  page.blocks.push_back(SpacerBlock{8});
  page.blocks.push_back(Small("判定：H 基準値より高値、L 基準値より低値"));
  return {"blood_test", {page}, {}};
}

DocumentContent MedicationList(const SampleSpec& spec, Variation& v) {
  if (v.Pick(2) == 1) return DrugInformationSheet(spec, v);
  PageContent page;
  page.blocks = {
      TitleBlock{"お薬手帳"},
      SpacerBlock{6},
      Field("氏名", spec.patient.name),
      Field("調剤日", JapaneseEraDate(spec.referral.date)),
      Field("薬局", "本郷九丁目薬局（架空）"),
      Field("処方医療機関", spec.referral.clinic),
      SpacerBlock{8},
  };
  TableBlock table;
  table.column_weights = {4, 4, 2, 2};
  table.rows = {{"薬品名", "用法", "用量", "日数"}};
  for (const std::string& line : spec.referral.prescriptions) {
    table.rows.push_back({line, "1日1回朝食後", "1錠", "28日分"});
  }
  page.blocks.push_back(table);
  return {"medication_list", {page}, {}};
}

const std::map<std::string, DocumentMaker>& Makers() {
  static const std::map<std::string, DocumentMaker> makers = {
      {"referral_letter", ReferralLetter},
      {"surgery_attachment_form", SurgeryAttachmentForm},
      {"application_form", ApplicationForm},
      {"consultation_sheet", ConsultationSheet},
      {"consent_form", ConsentForm},
      {"koseki", Koseki},
      {"juminhyo", Juminhyo},
      {"insurance_card", InsuranceCard},
      {"id_document", IdDocument},
      {"medication_list", MedicationList},
      {"blood_test", BloodTest},
      {"physiological_test", PhysiologicalTest},
      {"imaging_report", ImagingReport},
      {"pathology_report", PathologyReport},
  };
  return makers;
}

const std::map<std::string, DocumentMaker>& OtherMakers() {
  static const std::map<std::string, DocumentMaker> makers = {
      {"cover_letter", CoverLetter},
      {"envelope", Envelope},
      {"blank", BlankPage},
  };
  return makers;
}

// Layout of a varied document: title size and alignment, and where the page starts.
void VaryLayout(DocumentContent& document, Variation& v) {
  if (!v.varied()) return;
  const double title_size = v.Between(16, 21);
  const bool left = v.Pick(3) == 0;
  const double top = v.Between(0, 14);
  for (PageContent& page : document.pages) {
    for (Block& block : page.blocks) {
      if (auto* title = std::get_if<TitleBlock>(&block); title && title->size_pt <= 18) {
        title->size_pt = title_size;
        if (title->align == Align::kCenter && left) title->align = Align::kLeft;
      }
    }
    page.blocks.insert(page.blocks.begin(), SpacerBlock{top});
  }
}

void AppendText(const Block& block, std::string& out) {
  auto line = [&out](const std::string& text) {
    if (!text.empty()) out += text + "\n";
  };
  std::visit(
      [&](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, TitleBlock> || std::is_same_v<T, TextBlock>) {
          line(b.text);
        } else if constexpr (std::is_same_v<T, FieldBlock>) {
          line(b.label.empty() ? b.value : b.label + kSpace + b.value);
          line(b.seal);
        } else if constexpr (std::is_same_v<T, TableBlock>) {
          for (const auto& row : b.rows) {
            std::string joined;
            for (const auto& cell : row) joined += cell + " ";
            line(joined);
          }
        } else if constexpr (std::is_same_v<T, CardBlock>) {
          line(b.title);
          for (const auto& field : b.fields) line(field.label + kSpace + field.value);
          line(b.footer);
        }
      },
      block);
}

std::string PageText(const PageContent& page) {
  std::string out;
  for (const Block& block : page.blocks) AppendText(block, out);
  return out;
}

}  // namespace

std::string JapaneseEraDate(const Date& date) {
  struct Era {
    const char* name;
    Date start;
  };
  static const Era kEras[] = {
      {"令和", {2019, 5, 1}},  {"平成", {1989, 1, 8}},  {"昭和", {1926, 12, 25}},
      {"大正", {1912, 7, 30}}, {"明治", {1868, 1, 25}},
  };
  for (const Era& era : kEras) {
    if (DateKey(date) >= DateKey(era.start)) {
      const int year = date.year - era.start.year + 1;
      return std::string(era.name) + (year == 1 ? "元" : std::to_string(year)) + "年" +
             std::to_string(date.month) + "月" + std::to_string(date.day) + "日";
    }
  }
  return std::to_string(date.year) + "年" + std::to_string(date.month) + "月" +
         std::to_string(date.day) + "日";
}

Result<DocumentContent> MakeDocument(const SampleSpec& spec, const std::string& type,
                                     Variation variation) {
  const auto& makers = Makers();
  const auto it = makers.find(type);
  if (it == makers.end()) {
    return Result<DocumentContent>::Fail("no content for document type '" + type + "'");
  }
  const bool needs_family = type == "id_document" || type == "consent_form";
  if (needs_family && !spec.family) {
    return Result<DocumentContent>::Fail("document type '" + type + "' needs a family member");
  }
  DocumentContent document = it->second(spec, variation);
  VaryLayout(document, variation);
  return document;
}

std::vector<std::string> DocumentTypesWithContent() {
  std::vector<std::string> types;
  for (const auto& [type, maker] : Makers()) types.push_back(type);
  return types;
}

Result<DocumentContent> MakeOtherDocument(const SampleSpec& spec, const std::string& kind,
                                          Variation variation) {
  const auto it = OtherMakers().find(kind);
  if (it == OtherMakers().end()) {
    return Result<DocumentContent>::Fail("no content for other page kind '" + kind + "'");
  }
  return it->second(spec, variation);
}

std::vector<std::string> OtherKinds() {
  std::vector<std::string> kinds;
  for (const auto& [kind, maker] : OtherMakers()) kinds.push_back(kind);
  return kinds;
}

std::string PlainText(const DocumentContent& document) {
  std::string out;
  for (const PageContent& page : document.pages) out += PageText(page);
  return out;
}

Status CheckAgainstProfile(const DocumentContent& document,
                           const std::filesystem::path& profile_path) {
  YAML::Node types;
  try {
    types = YAML::LoadFile(profile_path.string())["document_types"];
  } catch (const YAML::Exception& e) {
    return Status::Fail(profile_path.string() + ": " + e.what());
  }
  if (!types || !types[document.type]) {
    return Status::Fail("document type '" + document.type + "' is not in the profile");
  }
  auto list = [](const YAML::Node& node) {
    std::vector<std::string> out;
    if (node) {
      for (const auto& item : node) out.push_back(item.as<std::string>());
    }
    return out;
  };
  const auto own_titles = list(types[document.type]["title_keywords"]);
  const auto own_keywords = list(types[document.type]["keywords"]);
  auto contains = [](const std::string& text, const std::string& word) {
    return text.find(word) != std::string::npos;
  };

  for (std::size_t i = 0; i < document.pages.size(); ++i) {
    const std::string text = PageText(document.pages[i]);
    const std::string where = document.type + " page " + std::to_string(i + 1);
    std::vector<std::string> own_found;
    for (const auto& title : own_titles) {
      if (contains(text, title)) own_found.push_back(title);
    }
    const auto keyword_count = std::count_if(own_keywords.begin(), own_keywords.end(),
                                             [&](const auto& k) { return contains(text, k); });
    if (i == 0 && own_found.empty()) return Status::Fail(where + ": no title keyword of its type");
    if (own_found.empty() && keyword_count < 2) {
      return Status::Fail(where + ": fewer than two keywords of its type");
    }
    for (const auto& entry : types) {
      const std::string other = entry.first.as<std::string>();
      if (other == document.type) continue;
      for (const auto& title : list(entry.second["title_keywords"])) {
        if (!contains(text, title)) continue;
        const bool inside_own = std::any_of(own_found.begin(), own_found.end(),
                                            [&](const auto& own) { return contains(own, title); });
        if (!inside_own) {
          return Status::Fail(where + ": holds '" + title + "', a title keyword of " + other);
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace intake::samplegen
