// Diagnoses misread by OCR, corrected from the list of common ones, and the words left alone.
#include "stages/domain_words.h"

#include <gtest/gtest.h>

namespace intake::stages {
namespace {

TEST(DomainWords, NearMissesOfCommonDiagnosesAreCorrected) {
  EXPECT_EQ(CorrectDiagnosis("右肺上葉肺腺問cT2aN2M1a").text, "右肺上葉肺腺癌cT2aN2M1a");
  EXPECT_EQ(CorrectDiagnosis("左蝶形骨縁蘭膜腫(最大径38mm)").text, "左蝶形骨縁髄膜腫(最大径38mm)");
  EXPECT_EQ(CorrectDiagnosis("胸部中部食道閣(扁平上皮癌)").text, "胸部中部食道癌(扁平上皮癌)");
  EXPECT_EQ(CorrectDiagnosis("多発性骨秋種(IgG-κ型)").text, "多発性骨髄腫(IgG-κ型)");
  EXPECT_TRUE(CorrectDiagnosis("膝管内乳頭粘液性腫瘍").changed);
}

TEST(DomainWords, AReadingNearTwoWordsIsLeftAsRead) {
  const Corrected c = CorrectDiagnosis("右引細胞癌(淡明細胞型疑い)");  // 腎細胞癌 or 肝細胞癌?
  EXPECT_FALSE(c.changed) << c.text;
}

TEST(DomainWords, TheDepartmentAppliedToDecidesBetweenTwoEquallyNearWords) {
  EXPECT_EQ(CorrectDiagnosis("右引細胞癌(淡明細胞型疑い)", "泌尿器科").text, "右腎細胞癌(淡明細胞型疑い)");
  EXPECT_EQ(CorrectDiagnosis("引細胞癌", "肝胆膵外科").text, "肝細胞癌");
  // A department that treats neither, or both, leaves the reading alone.
  EXPECT_FALSE(CorrectDiagnosis("右引細胞癌", "眼科").changed);
  EXPECT_FALSE(CorrectDiagnosis("右引細胞癌", "泌尿器・肝臓内科").changed);
}

TEST(DomainWords, DepartmentsReadNearACommonNameAreCorrected) {
  EXPECT_EQ(CorrectDepartment("泌尿器利").text, "泌尿器科");
  EXPECT_EQ(CorrectDepartment("乳腺・内分決外科").text, "乳腺・内分泌外科");
  EXPECT_EQ(CorrectDepartment("血液・腫傷内科").text, "血液・腫瘍内科");
  for (const char* as_read : {"消化器内科", "導M", "総合診療科", "外科"}) {
    EXPECT_FALSE(CorrectDepartment(as_read).changed) << as_read;
  }
}

// Departments are a closed list: one name nearer than every other is the one, where the glyph
// that tells it from the next nearest was read as its own (内 of 消化回内科, not 外 of 消化器外科).
TEST(DomainWords, ADepartmentNearerThanEveryOtherIsTheOne) {
  EXPECT_EQ(CorrectDepartment("還吸器内科").text, "呼吸器内科");  // 消化器内科 two off
  EXPECT_EQ(CorrectDepartment("消化回内科").text, "消化器内科");  // 消化器外科 two off
  // As near to two names, or too far from any: left as read.
  for (const char* as_read : {"呼吸器丹科", "決尿回"}) {
    EXPECT_FALSE(CorrectDepartment(as_read).changed) << as_read;
  }
}

TEST(DomainWords, RightWordsAndOtherDiagnosesStayAsWritten) {
  for (const char* text : {"心筋炎", "肥大型心筋症", "胃癌(腹膜播種)", "早期胃癌", "関節炎",
                           "高血圧症", "2型糖尿病"}) {
    const Corrected c = CorrectDiagnosis(text);
    EXPECT_FALSE(c.changed) << text << " -> " << c.text;
    EXPECT_EQ(c.text, text);
  }
}

// A reading half a name off is that name where it has, in its place, a glyph no other name as
// long has: 尿 and 泌 are 泌尿器科's alone among names of four glyphs (a hand-like face's 泌 and
// 器 are misread). A glyph other names have too (内, 科) tells nothing.
TEST(DomainWords, ADepartmentHalfMisreadIsTheOneWhoseOwnGlyphItKept) {
  EXPECT_EQ(CorrectDepartment("決尿回科").text, "泌尿器科");
  EXPECT_EQ(CorrectDepartment("沢尿避科").text, "泌尿器科");
  EXPECT_EQ(CorrectDepartment("泌原避科").text, "泌尿器科");
  for (const char* as_read : {"決原回科", "漢方内科", "決尿回科外"}) {
    EXPECT_FALSE(CorrectDepartment(as_read).changed) << as_read;
  }
}

}  // namespace
}  // namespace intake::stages
