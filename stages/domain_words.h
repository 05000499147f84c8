// Domain words: common diagnoses (cancer sites, common diseases) and hospital departments for
// correcting near-miss OCR in facts read from documents (肺腺問 → 肺腺癌, 蘭膜腫 → 髄膜腫,
// 食道閣 → 食道癌; 泌尿器利 → 泌尿器科).
//
// A word of the list is put in place of a stretch of the text that differs from it by one
// misread character (two for words of six or more), unless the misread character is itself one
// that ends disease names (炎, 症, 腫 …): 心筋炎 is a diagnosis, not a misread 心筋症, and unless
// another word is as near, where the department applied to may decide (泌尿器科: 引細胞癌 is
// 腎細胞癌, not 肝細胞癌). Text in
// match form (text/text_normalize.h). Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace intake::stages {

struct Corrected {
  std::string text;
  bool changed = false;
};

// A department's name read near one of the common ones (a third of its characters misread at
// most, and no other name as near): that name. 泌尿器利 → 泌尿器科, 乳腺・内分決外科 →
// 乳腺・内分泌外科. Names written right, and names near none or two, are left as read.
Corrected CorrectDepartment(std::string_view text);

// The common departments' names, as CorrectDepartment knows them.
std::vector<std::string> CommonDepartments();

// `text` with near-miss diagnoses corrected; `department` (as written, may be empty) breaks ties.
Corrected CorrectDiagnosis(std::string_view text, std::string_view department = {});

}  // namespace intake::stages
