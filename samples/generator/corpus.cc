#include "samples/generator/corpus.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <system_error>

#include "samples/generator/blocks.h"
#include "samples/generator/content.h"
#include "samples/generator/degrade.h"
#include "samples/generator/package.h"
#include "samples/generator/render.h"

namespace intake::samplegen {
namespace {

namespace fs = std::filesystem;

// --- fictional people, clinics and cases -------------------------------------------------

struct NamePart {
  const char* kanji;
  const char* kana;
};

const std::vector<NamePart> kFamilyNames = {
    {"佐藤", "サトウ"},   {"鈴木", "スズキ"},   {"高橋", "タカハシ"}, {"田中", "タナカ"},
    {"伊藤", "イトウ"},   {"渡辺", "ワタナベ"}, {"山本", "ヤマモト"}, {"中村", "ナカムラ"},
    {"小林", "コバヤシ"}, {"加藤", "カトウ"},   {"吉田", "ヨシダ"},   {"山田", "ヤマダ"},
    {"松本", "マツモト"}, {"井上", "イノウエ"}, {"木村", "キムラ"},   {"清水", "シミズ"},
    {"森田", "モリタ"},   {"池田", "イケダ"},   {"橋本", "ハシモト"}, {"石川", "イシカワ"},
};
const std::vector<NamePart> kMaleNames = {
    {"太郎", "タロウ"}, {"一郎", "イチロウ"}, {"健一", "ケンイチ"}, {"誠", "マコト"},
    {"浩", "ヒロシ"},   {"修", "オサム"},     {"大輔", "ダイスケ"}, {"翔太", "ショウタ"},
    {"隆", "タカシ"},   {"和也", "カズヤ"},
};
const std::vector<NamePart> kFemaleNames = {
    {"花子", "ハナコ"}, {"恵子", "ケイコ"},   {"陽子", "ヨウコ"}, {"美咲", "ミサキ"},
    {"直美", "ナオミ"}, {"由美子", "ユミコ"}, {"愛", "アイ"},     {"真理子", "マリコ"},
    {"幸子", "サチコ"}, {"明美", "アケミ"},
};
const std::vector<std::string> kAddresses = {
    "東京都文京区本郷九丁目",
    "東京都世田谷区桜九丁目",
    "神奈川県横浜市青葉区美しが丘九丁目",
    "埼玉県さいたま市浦和区高砂九丁目",
    "千葉県千葉市中央区中央九丁目",
    "東京都練馬区豊玉北九丁目",
};
const std::vector<std::string> kClinics = {
    "みどり台内科クリニック",   "青葉中央病院",         "さくら通り診療所", "北町記念病院",
    "港南ファミリークリニック", "本郷九丁目クリニック",
};

// One clinical story: where it goes, what the letter and the patient say.
struct Scenario {
  const char* department;
  const char* diagnosis;
  const char* history;
  const char* course;
  const char* treatment;
  std::vector<std::string> prescriptions;
  const char* summary;
  std::vector<std::string> questions;
};

const std::vector<Scenario>& Scenarios() {
  static const std::vector<Scenario> scenarios = {
      {"消化器内科",
       "胃癌（cStageⅢ）",
       "高血圧症（内服加療中）。父が大腸癌。",
       "令和8年8月、心窩部痛にて受診。上部消化管内視鏡で胃体部に潰瘍性病変を認め、生検で腺癌と"
       "診断。CTでリンパ節転移を疑う。",
       "術前化学療法を提案し、ご本人と相談中です。",
       {"アムロジピン錠5mg　1日1回朝食後", "ランソプラゾールOD錠15mg　1日1回朝食後"},
       "手術の前に抗がん剤治療を行うという方針について、ほかの先生のご意見を伺いたいです。",
       {"術前化学療法は必要でしょうか。", "腹腔鏡手術は可能でしょうか。"}},
      {"一般外科",
       "胃癌（腹膜播種）",
       "特記事項なし。",
       "令和8年6月、腹部膨満感にて受診。精査にて胃癌と診断し、審査腹腔鏡で腹膜播種を認めた。",
       "全身化学療法を継続中です。",
       {"S-1配合カプセル　1日2回朝夕食後", "酸化マグネシウム錠330mg　1日3回毎食後"},
       "腹膜播種があると言われました。今後の治療の選択肢について相談したいです。",
       {"腹腔内化学療法の対象になりますか。", "手術を目指せる可能性はありますか。"}},
      {"呼吸器内科",
       "肺腺癌（cStageⅣ）",
       "喫煙歴あり（20本×30年、10年前に禁煙）。",
       "令和8年7月、咳嗽の持続にて受診。胸部CTで右上葉に腫瘤影と胸膜結節を認め、"
       "気管支鏡下生検で腺癌と診断。遺伝子検査を実施中。",
       "遺伝子検査の結果を待って薬物療法を開始する予定です。",
       {"デキストロメトルファン錠15mg　1日3回毎食後"},
       "遺伝子検査の結果によって治療が変わると聞きました。治療の選び方を相談したいです。",
       {"分子標的薬と免疫療法はどちらがよいでしょうか。", "仕事を続けながら治療できますか。"}},
      {"老年病科",
       "アルツハイマー型認知症の疑い",
       "高血圧症、脂質異常症、骨粗鬆症。",
       "令和8年春頃より物忘れが目立つようになり、家族の勧めで受診。簡易知能検査で軽度の低下を"
       "認めた。",
       "内服治療の開始について、ご家族と相談中です。",
       {"アムロジピン錠5mg　1日1回朝食後", "ロスバスタチン錠2.5mg　1日1回夕食後",
        "エルデカルシトールカプセル0.75μg　1日1回朝食後"},
       "物忘れの原因と、今飲んでいる薬の整理について意見を聞きたいです。",
       {"認知症の薬は始めたほうがよいでしょうか。", "飲んでいる薬の数を減らせますか。"}},
      {"泌尿器科",
       "前立腺癌（cT2N0M0）",
       "糖尿病（内服加療中）。",
       "健康診断でPSA高値を指摘され受診。MRIで前立腺辺縁域に病変を認め、生検で腺癌と診断。",
       "手術と放射線治療のいずれかを提案しています。",
       {"メトホルミン錠250mg　1日2回朝夕食後"},
       "手術と放射線治療のどちらがよいか迷っています。",
       {"ロボット手術と放射線治療の違いを教えてください。", "監視療法という選択はありますか。"}},
      {"乳腺・内分泌外科",
       "左乳癌（cT2N1M0）",
       "特記事項なし。母が乳癌。",
       "令和8年9月、左乳房のしこりに気づき受診。針生検で浸潤性乳管癌と診断。",
       "術前薬物療法の後に手術を行う方針を説明しました。",
       {"ロキソプロフェン錠60mg　疼痛時"},
       "乳房を残す手術ができるかどうか、意見を聞きたいです。",
       {"乳房温存手術は可能でしょうか。", "術前の薬物療法は必要ですか。"}},
  };
  return scenarios;
}

class Dice {
 public:
  explicit Dice(std::uint32_t seed) : rng_(seed) {}
  int Below(int n) { return static_cast<int>(rng_() % static_cast<unsigned>(n)); }
  template <typename T>
  const T& OneOf(const std::vector<T>& items) {
    return items[static_cast<std::size_t>(Below(static_cast<int>(items.size())))];
  }
  Date DateIn(int first_year, int last_year) {
    return {first_year + Below(last_year - first_year + 1), 1 + Below(12), 1 + Below(28)};
  }

 private:
  std::mt19937 rng_;
};

Person MakePerson(Dice& dice, const std::string& family, const std::string& family_kana,
                  const std::string& sex, const Date& birth, const std::string& address) {
  const NamePart& given = dice.OneOf(sex == "男" ? kMaleNames : kFemaleNames);
  Person p;
  p.name = family + kSpace + given.kanji;
  p.kana = family_kana + kSpace + given.kana;
  p.birth_date = birth;
  p.sex = sex;
  p.address = address;
  char phone[32];
  std::snprintf(phone, sizeof phone, "03-0000-%04d", dice.Below(10000));
  p.phone = phone;
  return p;
}

// A fictional case: patient, attending family member, referral and consultation.
SampleSpec CorpusCase(std::uint32_t seed) {
  Dice dice(seed);
  SampleSpec spec;
  spec.name = "corpus";
  spec.seed = seed;
  const NamePart& family = dice.OneOf(kFamilyNames);
  const std::string address = dice.OneOf(kAddresses) + std::to_string(1 + dice.Below(30)) + "番" +
                              std::to_string(1 + dice.Below(20)) + "号";
  const std::string sex = dice.Below(2) == 0 ? "男" : "女";
  spec.patient = MakePerson(dice, family.kanji, family.kana, sex, dice.DateIn(1936, 1975), address);
  char patient_id[16];
  std::snprintf(patient_id, sizeof patient_id, "%07d", dice.Below(10000000));
  spec.patient_id = patient_id;

  const Scenario& s = dice.OneOf(Scenarios());
  spec.application.date = {2026, 10 + dice.Below(2), 1 + dice.Below(28)};
  spec.application.department = s.department;
  spec.application.attendee = dice.OneOf<std::string>({"患者本人", "家族のみ", "患者本人と家族"});

  FamilyMember member;
  const bool child = dice.Below(3) != 0;
  member.relation = child ? (dice.Below(2) == 0 ? "長女" : "長男") : (sex == "男" ? "妻" : "夫");
  const std::string member_sex = member.relation == "長女" || member.relation == "妻" ? "女" : "男";
  const Date member_birth = child ? Date{spec.patient.birth_date.year + 25 + dice.Below(8),
                                         1 + dice.Below(12), 1 + dice.Below(28)}
                                  : Date{spec.patient.birth_date.year - 3 + dice.Below(7),
                                         1 + dice.Below(12), 1 + dice.Below(28)};
  member.living_together = !child || dice.Below(2) == 0;
  const std::string member_address =
      member.living_together ? address
                             : dice.OneOf(kAddresses) + std::to_string(1 + dice.Below(30)) + "番" +
                                   std::to_string(1 + dice.Below(20)) + "号";
  member.person =
      MakePerson(dice, family.kanji, family.kana, member_sex, member_birth, member_address);
  spec.family = member;

  Referral& r = spec.referral;
  r.date = {2026, spec.application.date.month, std::max(1, spec.application.date.day - 3)};
  r.clinic = dice.OneOf(kClinics) + "（架空）";
  r.clinic_address = dice.OneOf(kAddresses) + std::to_string(1 + dice.Below(30)) + "番地";
  char clinic_phone[32];
  std::snprintf(clinic_phone, sizeof clinic_phone, "03-0000-%04d", dice.Below(10000));
  r.clinic_phone = clinic_phone;
  const NamePart& doctor_family = dice.OneOf(kFamilyNames);
  const NamePart& doctor_given = dice.OneOf(dice.Below(2) == 0 ? kMaleNames : kFemaleNames);
  r.physician = std::string(doctor_family.kanji) + kSpace + doctor_given.kanji;
  r.diagnosis = s.diagnosis;
  r.purpose = "セカンドオピニオン";
  r.history = s.history;
  r.course = s.course;
  r.treatment = s.treatment;
  r.prescriptions = s.prescriptions;
  r.remarks = dice.OneOf<std::string>(
      {"特記事項なし", "画像データを同封いたします。", "ご高診のほどよろしくお願い申し上げます。"});
  r.test_date = {2026, 9, 1 + dice.Below(28)};
  spec.consultation.summary = s.summary;
  spec.consultation.questions = s.questions;
  return spec;
}

// --- corpus pages -------------------------------------------------------------------------

struct Degraded {
  std::string extension;
  std::string format;
  int dpi_in_file = 300;
  int rotation = 0;
  double skew = 0;
};

std::uint32_t Mix(std::uint32_t a, std::uint32_t b) {
  std::uint32_t h = 2166136261u;
  for (std::uint32_t v : {a, b}) {
    for (int i = 0; i < 4; ++i) {
      h ^= (v >> (8 * i)) & 0xff;
      h *= 16777619u;
    }
  }
  return h == 0 ? 1 : h;
}

// Applies `degradation` to the clean page and writes it to `stem` + extension.
Result<Degraded> WriteDegraded(const GreyImage& clean, const std::string& degradation,
                               std::uint32_t seed, const fs::path& stem) {
  Degraded d;
  std::mt19937 rng(seed);
  const double sign = (rng() & 1) ? 1.0 : -1.0;
  // A scanner's skew, blur and paper grey; grey noise only where it is the degradation (it also
  // keeps the lossless pages small).
  ScanOptions scan = ScanOptionsFromSeed(seed);
  scan.noise_stdev = 0;
  GreyImage page = clean;
  auto scanned = [&](double skew) -> Status {
    scan.rotation_deg = skew;
    auto r = DegradeLikeScan(clean, scan, seed);
    if (!r.ok()) return r.status();
    page = std::move(*r);
    d.skew = skew;
    return Status::Ok();
  };
  Status status = Status::Ok();
  if (degradation == "clean") {
    // as rendered
  } else if (degradation == "skew1") {
    status = scanned(1.0 * sign);
  } else if (degradation == "skew3") {
    status = scanned(3.0 * sign);
  } else if (degradation == "rot90" || degradation == "rot180" || degradation == "rot270") {
    status = scanned(0.3 * sign);
    d.rotation = std::stoi(degradation.substr(3));
    if (status.ok()) {
      auto turned = RotateQuarters(page, d.rotation / 90);
      if (!turned.ok()) return Error{turned.message()};
      page = std::move(*turned);
    }
  } else if (degradation == "noise") {
    status = scanned(0.5 * sign);
    if (status.ok()) {
      auto dirty = AddDirt(page, 18, seed);
      if (!dirty.ok()) return Error{dirty.message()};
      page = std::move(*dirty);
    }
  } else if (degradation == "jpeg40" || degradation == "dpi200") {
    status = scanned(0.5 * sign);
  } else if (degradation == "bilevel") {
    status = scanned(0.5 * sign);
  } else if (degradation == "photo") {
    d.extension = ".jpg";
    d.format = "jpeg-rgb";
    d.dpi_in_file = 0;
    if (Status s = WritePhotoJpeg(clean, seed, fs::path(stem.string() + d.extension)); !s.ok()) {
      return Error{s.message()};
    }
    return d;
  } else {
    return Result<Degraded>::Fail("unknown degradation '" + degradation + "'");
  }
  if (!status.ok()) return Error{status.message()};
  d.dpi_in_file = page.dpi;
  if (degradation == "jpeg40" || degradation == "noise") {
    // Noise does not compress: those pages are good JPEG (quality 85) to stay small.
    d.extension = ".jpg";
    d.format = "jpeg";
    status =
        WriteJpeg(fs::path(stem.string() + d.extension), page, degradation == "noise" ? 85 : 40);
  } else if (degradation == "bilevel") {
    d.extension = ".tif";
    d.format = "tiff-g4";
    status = WriteScanTiff(fs::path(stem.string() + d.extension), {page}, TiffCompression::kG4);
  } else {
    d.extension = ".png";
    d.format = "png";
    status = WritePng(fs::path(stem.string() + d.extension), page);
  }
  if (!status.ok()) return Error{status.message()};
  return d;
}

// --- the held-out style ---------------------------------------------------------------------

const std::vector<std::string> kHeldOutPrintFonts = {"IPAMincho", "TakaoGothic", "VL Gothic",
                                                     "M PLUS 2", "MotoyaLCedar"};
const std::vector<std::string> kHeldOutFilledFonts = {"Klee One", "YOzN"};

// Documents the patient fills in carry the hospital's name at the top, if any; the others the
// clinic's that wrote them.
bool FilledByPatient(const std::string& type) {
  return type == "application_form" || type == "consultation_sheet" || type == "consent_form" ||
         type == "surgery_attachment_form";
}

PageStyle HeldOutStyle(std::uint32_t seed, const std::string& type, const SampleSpec& spec) {
  std::mt19937 rng(Mix(seed, 0x5717e));
  auto one_of = [&](const std::vector<std::string>& items) -> const std::string& {
    return items[rng() % items.size()];
  };
  PageStyle style;
  style.print_font = one_of(kHeldOutPrintFonts);
  style.filled_font = one_of(kHeldOutFilledFonts);
  style.values_handwritten = FilledByPatient(type) && (rng() % 2 == 0);
  style.title_letter_spaced = rng() % 2 == 0;
  style.title_left = rng() % 3 == 0;
  style.fields_in_cells = rng() % 2 == 0;
  if (rng() % 2 == 0 && type != "other") {
    style.letterhead = FilledByPatient(type)
                           ? std::string(kHospital) + "　セカンドオピニオン外来"
                           : spec.referral.clinic + "　" + spec.referral.clinic_address + "　TEL " +
                                 spec.referral.clinic_phone;
  }
  style.choice_mark = static_cast<ChoiceMark>(rng() % 3);
  return style;
}

std::string LayoutName(const PageStyle& s) {
  std::string name;
  auto add = [&](bool on, const char* part) {
    if (!on) return;
    if (!name.empty()) name += "+";
    name += part;
  };
  add(s.title_letter_spaced, "spaced-title");
  add(s.title_left, "left-title");
  add(s.fields_in_cells, "cells");
  add(s.values_handwritten, "handwritten");
  add(s.choice_mark == ChoiceMark::kCheckedBox, "ticked-box");
  add(s.choice_mark == ChoiceMark::kCircled, "circled");
  add(!s.letterhead.empty(), "letterhead");
  return name.empty() ? "standard" : name;
}

// The page drawn in `style`, or in a plainer one when its content does not fit on A4 that way
// (a letterhead and ruled cells take room).
Result<RenderedPage> RenderStyled(const PageContent& page, int dpi, PageStyle& style) {
  auto rendered = RenderPage(page, dpi, style);
  if (rendered.ok()) return rendered;
  style.letterhead.clear();
  rendered = RenderPage(page, dpi, style);
  if (rendered.ok()) return rendered;
  style.fields_in_cells = false;
  style.values_handwritten = false;
  return RenderPage(page, dpi, style);
}

// The facts an application form's first page states, as the facts stage names and writes them
// (report contract): what the held-out corpus's form facts are measured against.
nlohmann::ordered_json FormFacts(const SampleSpec& spec) {
  nlohmann::ordered_json facts;
  const std::string& who = spec.application.attendee;
  facts["attendance"] = who == "家族のみ"       ? "family_only"
                        : who == "患者本人と家族" ? "patient_and_family"
                                                  : "patient";
  facts["department"] = spec.application.department;
  char iso[16];
  const Date& b = spec.patient.birth_date;
  std::snprintf(iso, sizeof iso, "%04d-%02d-%02d", b.year, b.month, b.day);
  facts["patient_birth_date"] = iso;
  if (who != "患者本人" && spec.family) {
    facts["living_together"] = spec.family->living_together;
    facts["attendee_relation"] = spec.family->relation;
  }
  return facts;
}

struct Kind {
  std::string doc_type;  // profile type or "other"
  std::string other;     // the other kind, for "other"
};

std::vector<Kind> Kinds() {
  std::vector<Kind> kinds;
  for (const auto& type : DocumentTypesWithContent()) kinds.push_back({type, ""});
  for (const auto& other : OtherKinds()) kinds.push_back({"other", other});
  return kinds;
}

}  // namespace

const std::vector<std::string>& CorpusDegradations() {
  static const std::vector<std::string> degradations = {"clean",  "skew1",   "skew3", "rot90",
                                                        "rot180", "rot270",  "noise", "jpeg40",
                                                        "dpi200", "bilevel", "photo"};
  return degradations;
}

Status WriteCorpus(const fs::path& out_dir, const CorpusOptions& options) {
  std::error_code ec;
  const fs::path pages_dir = out_dir / "pages";
  fs::remove_all(pages_dir, ec);
  fs::create_directories(pages_dir, ec);
  if (ec) return Status::Fail("cannot create " + pages_dir.string());
  const fs::path truth_path = out_dir / "truth.jsonl";
  std::ofstream truth(truth_path, std::ios::binary | std::ios::trunc);
  if (!truth) return Status::Fail("cannot write " + truth_path.string());

  std::vector<Kind> kinds = Kinds();
  if (!options.types.empty()) {
    std::erase_if(kinds, [&](const Kind& k) {
      return std::find(options.types.begin(), options.types.end(), k.doc_type) ==
             options.types.end();
    });
    if (kinds.empty()) return Status::Fail("no document type of the generator was asked for");
  }
  const auto& degradations = CorpusDegradations();
  int written = 0;
  for (int item = 0; written < options.pages; ++item) {
    const Kind& kind = kinds[static_cast<std::size_t>(item) % kinds.size()];
    const std::string& degradation =
        degradations[static_cast<std::size_t>(item) % degradations.size()];
    const std::uint32_t seed = Mix(options.seed, static_cast<std::uint32_t>(item));
    const SampleSpec spec = CorpusCase(seed);
    auto document = kind.doc_type == "other" ? MakeOtherDocument(spec, kind.other, Variation(seed))
                                             : MakeDocument(spec, kind.doc_type, Variation(seed));
    if (!document.ok()) return Status::Fail(document.message());
    if (kind.doc_type != "other" && !options.profile.empty()) {
      if (Status s = CheckAgainstProfile(*document, options.profile); !s.ok()) {
        return Status::Fail("item " + std::to_string(item) + ": " + s.message());
      }
    }
    char document_id[16];
    std::snprintf(document_id, sizeof document_id, "c%04d", item + 1);
    const int dpi = degradation == "dpi200" ? 200 : 300;
    PageStyle style;
    if (options.held_out) style = HeldOutStyle(seed, kind.doc_type, spec);
    for (std::size_t p = 0; p < document->pages.size(); ++p) {
      auto rendered = RenderStyled(document->pages[p], dpi, style);
      if (!rendered.ok()) {
        return Status::Fail("item " + std::to_string(item) + " (" + kind.doc_type + " " +
                            document->variant + "): " + rendered.message());
      }
      char name[128];
      std::snprintf(name, sizeof name, "%04d-%s-%zu-%s", written + 1,
                    kind.doc_type == "other" ? kind.other.c_str() : kind.doc_type.c_str(), p + 1,
                    degradation.c_str());
      const std::uint32_t page_seed = Mix(seed, static_cast<std::uint32_t>(p + 1));
      const GreyImage paper = options.held_out ? AddPaperArtefacts(rendered->image, page_seed)
                                               : rendered->image;
      auto degraded = WriteDegraded(paper, degradation, page_seed, pages_dir / name);
      if (!degraded.ok()) return Status::Fail(std::string(name) + ": " + degraded.message());
      nlohmann::ordered_json line;
      line["file"] = "pages/" + std::string(name) + degraded->extension;
      line["document"] = document_id;
      line["page"] = p + 1;
      line["pages"] = document->pages.size();
      line["doc_type"] = kind.doc_type;
      line["variant"] = kind.doc_type == "other" ? kind.other : document->variant;
      line["degradation"] = degradation;
      line["dpi"] = dpi;
      line["dpi_in_file"] = degraded->dpi_in_file;
      line["rotation"] = degraded->rotation;
      line["skew"] = degraded->skew;
      line["format"] = degraded->format;
      line["seed"] = page_seed;
      line["lines"] = rendered->lines;
      if (options.held_out) {
        line["font"] = style.print_font;
        line["filled_font"] = style.filled_font;
        line["layout"] = LayoutName(style);
        if (kind.doc_type == "application_form" && p == 0) line["facts"] = FormFacts(spec);
      }
      truth << line.dump() << "\n";
      ++written;
      // A duplex scan's blank back after every third page of the held-out corpus.
      if (options.held_out && (page_seed % 3 == 0)) {
        nlohmann::ordered_json back = line;
        std::snprintf(name, sizeof name, "%04d-duplex_back-%zu-%s", written + 1, p + 1,
                      degradation.c_str());
        auto written_back = WriteDegraded(BleedThroughBack(rendered->image), degradation,
                                          Mix(page_seed, 2), pages_dir / name);
        if (!written_back.ok()) return Status::Fail(std::string(name) + ": " + written_back.message());
        back["file"] = "pages/" + std::string(name) + written_back->extension;
        back["doc_type"] = "other";
        back["variant"] = "duplex_back";
        back["format"] = written_back->format;
        back["rotation"] = written_back->rotation;
        back["skew"] = written_back->skew;
        back["lines"] = nlohmann::json::array();
        back.erase("facts");
        truth << back.dump() << "\n";
        ++written;
      }
    }
  }
  truth.close();
  if (!truth) return Status::Fail("cannot write " + truth_path.string());
  return Status::Ok();
}

}  // namespace intake::samplegen
