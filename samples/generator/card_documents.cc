// Cards photocopied on A4: the attending person's proof of identity (driver's licence, passport
// data page, My Number card front) and health insurance (被保険者証 and its successors
// 資格確認書 / 資格情報のお知らせ). Numbers are masked the way the privacy rules ask (DOMAIN.md);
// the My Number card's front carries no number.
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "samples/generator/blocks.h"

namespace intake::samplegen {
namespace {

// Passport-style romanisation (Hepburn, long vowels not marked) of a katakana reading.
std::string Romanize(const std::string& kana) {
  static const std::map<std::string, std::string> kSyllables = {
      {"ア", "A"},     {"イ", "I"},     {"ウ", "U"},     {"エ", "E"},     {"オ", "O"},
      {"カ", "KA"},    {"キ", "KI"},    {"ク", "KU"},    {"ケ", "KE"},    {"コ", "KO"},
      {"サ", "SA"},    {"シ", "SHI"},   {"ス", "SU"},    {"セ", "SE"},    {"ソ", "SO"},
      {"タ", "TA"},    {"チ", "CHI"},   {"ツ", "TSU"},   {"テ", "TE"},    {"ト", "TO"},
      {"ナ", "NA"},    {"ニ", "NI"},    {"ヌ", "NU"},    {"ネ", "NE"},    {"ノ", "NO"},
      {"ハ", "HA"},    {"ヒ", "HI"},    {"フ", "FU"},    {"ヘ", "HE"},    {"ホ", "HO"},
      {"マ", "MA"},    {"ミ", "MI"},    {"ム", "MU"},    {"メ", "ME"},    {"モ", "MO"},
      {"ヤ", "YA"},    {"ユ", "YU"},    {"ヨ", "YO"},    {"ラ", "RA"},    {"リ", "RI"},
      {"ル", "RU"},    {"レ", "RE"},    {"ロ", "RO"},    {"ワ", "WA"},    {"ヲ", "O"},
      {"ン", "N"},     {"ガ", "GA"},    {"ギ", "GI"},    {"グ", "GU"},    {"ゲ", "GE"},
      {"ゴ", "GO"},    {"ザ", "ZA"},    {"ジ", "JI"},    {"ズ", "ZU"},    {"ゼ", "ZE"},
      {"ゾ", "ZO"},    {"ダ", "DA"},    {"ヂ", "JI"},    {"ヅ", "ZU"},    {"デ", "DE"},
      {"ド", "DO"},    {"バ", "BA"},    {"ビ", "BI"},    {"ブ", "BU"},    {"ベ", "BE"},
      {"ボ", "BO"},    {"パ", "PA"},    {"ピ", "PI"},    {"プ", "PU"},    {"ペ", "PE"},
      {"ポ", "PO"},    {"キャ", "KYA"}, {"キュ", "KYU"}, {"キョ", "KYO"}, {"シャ", "SHA"},
      {"シュ", "SHU"}, {"ショ", "SHO"}, {"チャ", "CHA"}, {"チュ", "CHU"}, {"チョ", "CHO"},
      {"ニャ", "NYA"}, {"ニュ", "NYU"}, {"ニョ", "NYO"}, {"ヒャ", "HYA"}, {"ヒョ", "HYO"},
      {"ミョ", "MYO"}, {"リュ", "RYU"}, {"リョ", "RYO"}, {"ギョ", "GYO"}, {"ジャ", "JA"},
      {"ジュ", "JU"},  {"ジョ", "JO"},
  };
  std::string out;
  bool double_next = false;
  bool after_n = false;
  for (std::size_t i = 0; i < kana.size();) {
    const std::string one = kana.substr(i, 3);  // katakana are 3 bytes in UTF-8
    const std::string two = kana.substr(i, 6);
    if (one == "ッ") {
      double_next = true;
      i += 3;
      continue;
    }
    if (one == "ー") {  // long vowel: not written in passports
      i += 3;
      continue;
    }
    std::string roman;
    if (auto it = kSyllables.find(two); it != kSyllables.end()) {
      roman = it->second;
      i += 6;
    } else if (auto it1 = kSyllables.find(one); it1 != kSyllables.end()) {
      roman = it1->second;
      i += 3;
    } else {
      i += 1;  // anything else (the full-width space between the names is split off before)
      continue;
    }
    if (double_next) roman = roman.substr(0, 1) + roman;
    double_next = false;
    // Long vowels are not written: OU and OO as O (ヨウコ -> YOKO), UU as U (ユウコ -> YUKO).
    const char last = out.empty() ? '\0' : out.back();
    if ((roman == "U" && (last == 'O' || last == 'U')) || (roman == "O" && last == 'O')) continue;
    // ン before B, M and P is written M (ナンバ -> NAMBA).
    if (after_n && (roman[0] == 'B' || roman[0] == 'M' || roman[0] == 'P')) out.back() = 'M';
    after_n = roman == "N";
    out += roman;
  }
  return out;
}

std::string PassportDate(const Date& d) {
  static const char* kMonths[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                  "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%02d %s %04d", d.day, kMonths[d.month - 1], d.year);
  return buffer;
}

PageContent CardPage(CardBlock card, double top_pt) {
  PageContent page;
  page.blocks = {SpacerBlock{top_pt}, std::move(card)};
  return page;
}

DocumentContent DriversLicence(const SampleSpec& spec, Variation& v) {
  const Person& f = AttendingPerson(spec);
  CardBlock card;
  card.title = "運転免許証";
  card.fields = {
      Field("氏名", f.name + kSpace + JapaneseEraDate(f.birth_date) + "生"),
      Field("住所", spec.family ? FamilyAddress(spec) : f.address),
      Field("交付", v.OneOf<std::string>({"令和5年6月1日", "令和6年2月14日", "令和4年9月30日"})),
      Field("有効期限", v.OneOf<std::string>(
                            {"令和10年6月12日まで", "令和11年3月2日まで", "令和9年10月5日まで"})),
      Field("免許の条件等", v.OneOf<std::string>({"眼鏡等", "なし"})),
      Field("番号", "第＊＊＊＊＊＊＊＊" + std::to_string(1000 + v.Pick(9000)) + "号"),
  };
  card.footer =
      v.OneOf<std::string>({"東京都公安委員会", "神奈川県公安委員会", "埼玉県公安委員会"});
  return {"id_document", {CardPage(card, v.varied() ? v.Between(10, 260) : 20)}, "drivers_licence"};
}

DocumentContent Passport(const SampleSpec& spec, Variation& v) {
  const Person& f = AttendingPerson(spec);
  const std::string family_kana = FamilyName(f.kana);
  const std::string given_kana = GivenName(f.kana);
  CardBlock card;
  card.title = "日本国旅券　JAPAN　PASSPORT";
  card.width_mm = 125 * 1.2;
  card.height_mm = 88 * 1.2;
  card.fields = {
      Field("旅券番号/Passport No.", "T＊＊＊＊＊＊" + std::to_string(10 + v.Pick(90))),
      Field("姓/Surname", Romanize(family_kana)),
      Field("名/Given name", Romanize(given_kana)),
      Field("国籍/Nationality", "JAPAN"),
      Field("生年月日/Date of birth", PassportDate(f.birth_date)),
      Field("性別/Sex", f.sex == "男" ? "M" : "F"),
      Field("発行年月日/Date of issue", "0" + std::to_string(1 + v.Pick(9)) + " JUN 2023"),
      Field("有効期間満了日/Date of expiry", "0" + std::to_string(1 + v.Pick(9)) + " JUN 2033"),
  };
  card.footer = "外務大臣/MINISTER FOR FOREIGN AFFAIRS";
  return {"id_document", {CardPage(card, v.varied() ? v.Between(10, 200) : 20)}, "passport"};
}

DocumentContent MyNumberCardFront(const SampleSpec& spec, Variation& v) {
  const Person& f = AttendingPerson(spec);
  CardBlock card;
  card.title = "個人番号カード";
  card.fields = {
      Field("氏名", f.name),
      Field("住所", spec.family ? FamilyAddress(spec) : f.address),
      Field("生年月日", JapaneseEraDate(f.birth_date) + "生" + kSpace + "性別" + kSpace + f.sex),
      Field("有効期限", std::to_string(2030 + v.Pick(6)) + "年" +
                            std::to_string(f.birth_date.month) + "月" +
                            std::to_string(f.birth_date.day) + "日まで有効"),
      Field("電子証明書の有効期限", std::to_string(2029 + v.Pick(3)) + "年" +
                                        std::to_string(f.birth_date.month) + "月" +
                                        std::to_string(f.birth_date.day) + "日"),
  };
  card.footer = v.OneOf<std::string>({"文京区長", "世田谷区長", "横浜市長"});
  return {"id_document", {CardPage(card, v.varied() ? v.Between(10, 260) : 20)}, "my_number_card"};
}

}  // namespace

DocumentContent IdDocument(const SampleSpec& spec, Variation& v) {
  switch (v.Pick(3)) {
    case 1:
      return Passport(spec, v);
    case 2:
      return MyNumberCardFront(spec, v);
    default:
      return DriversLicence(spec, v);
  }
}

DocumentContent InsuranceCard(const SampleSpec& spec, Variation& v) {
  const Person& f = AttendingPerson(spec);
  const int kind = v.Pick(5);
  const std::string birth = JapaneseEraDate(f.birth_date);
  const std::string issued =
      v.OneOf<std::string>({"令和6年4月1日", "令和7年8月1日", "令和5年10月1日"});
  if (kind == 4) {
    // 資格情報のお知らせ: an A4 notice, not a card.
    PageContent page;
    page.blocks = {
        TitleBlock{"資格情報のお知らせ"},
        SpacerBlock{6},
        Paragraph("あなたの健康保険の資格情報は次のとおりです。医療機関等の窓口ではマイナ保険証を"
                  "ご利用ください。",
                  0),
        SpacerBlock{8},
        Field("氏名", f.name),
        Field("生年月日", birth),
        Field("被保険者等記号・番号", "＊＊＊＊・＊＊＊＊"),
        Field("保険者番号", "＊＊＊＊＊＊＊＊"),
        Field("資格取得年月日", issued),
        Field("保険者名称", v.OneOf<std::string>(
                                {"みどり台健康保険組合（架空）", "全国架空健康保険協会 東京支部"})),
        SpacerBlock{10},
        Small("※この通知は、医療機関等で提示する書類ではありません。"),
    };
    return {"insurance_card", {page}, "shikaku_joho"};
  }
  CardBlock card;
  card.photo = false;
  std::string variant;
  if (kind == 0) {
    variant = "kenko_hoken";
    card.title = "健康保険　被保険者証　本人（被保険者）";
    card.fields = {
        Field("記号", "＊＊＊＊" + std::string(kSpace) + "番号" + kSpace + "＊＊"),
        Field("氏名", f.name),
        Field("生年月日", birth + kSpace + "性別" + kSpace + f.sex),
        Field("資格取得年月日", issued),
        Field("保険者番号", "＊＊＊＊＊＊＊＊"),
    };
    card.footer =
        v.OneOf<std::string>({"みどり台健康保険組合（架空）", "青葉精機健康保険組合（架空）"});
  } else if (kind == 1) {
    variant = "kokuho";
    card.title = "国民健康保険被保険者証";
    card.fields = {
        Field("記号番号", "＊＊＊＊＊＊"),
        Field("氏名", f.name),
        Field("生年月日", birth + kSpace + "性別" + kSpace + f.sex),
        Field("住所", spec.family ? FamilyAddress(spec) : f.address),
        Field("有効期限", "令和8年7月31日"),
        Field("保険者番号", "＊＊＊＊＊＊"),
    };
    card.footer = v.OneOf<std::string>({"交付者　架空区", "交付者　みどり市（架空）"});
  } else if (kind == 2) {
    variant = "koki_korei";
    card.title = "後期高齢者医療被保険者証";
    card.fields = {
        Field("被保険者番号", "＊＊＊＊＊＊＊＊"),
        Field("氏名", f.name),
        Field("生年月日", birth + kSpace + "性別" + kSpace + f.sex),
        Field("一部負担金の割合", v.OneOf<std::string>({"1割", "2割", "3割"})),
        Field("交付年月日", issued),
    };
    card.footer = "保険者番号　＊＊＊＊＊＊＊＊　架空県後期高齢者医療広域連合";
  } else {
    variant = "shikaku_kakunin";
    card.title = "資格確認書";
    card.fields = {
        Field("氏名", f.name),
        Field("生年月日", birth + kSpace + "性別" + kSpace + f.sex),
        Field("被保険者等記号・番号", "＊＊＊＊・＊＊＊＊"),
        Field("保険者番号", "＊＊＊＊＊＊＊＊"),
        Field("有効期限", "令和12年7月31日"),
        Field("交付年月日", issued),
    };
    card.footer = "健康保険";
  }
  return {"insurance_card", {CardPage(card, v.varied() ? v.Between(10, 260) : 20)}, variant};
}

}  // namespace intake::samplegen
