// Building blocks shared by the generator's document makers (content.cc, medical_documents.cc,
// card_documents.cc, other_documents.cc): short constructors for blocks, name and date helpers,
// and the makers' signature. Internal to samples/generator.
#pragma once

#include <string>

#include "samples/generator/content.h"
#include "samples/generator/sample_spec.h"

namespace intake::samplegen {

inline constexpr const char* kHospital = "東京大学医学部附属病院";
inline constexpr const char* kSpace = "　";  // full-width: between name parts, label and value

// Makes one document type's content; `v` draws its variants (seed 0: the standard one).
using DocumentMaker = DocumentContent (*)(const SampleSpec& spec, Variation& v);

inline int DateKey(const Date& d) { return d.year * 10000 + d.month * 100 + d.day; }

inline int AgeAt(const Date& birth, const Date& at) {
  int age = at.year - birth.year;
  if (at.month * 100 + at.day < birth.month * 100 + birth.day) --age;
  return age;
}

// The family name of "山田　太郎" (the part before the full-width space).
inline std::string FamilyName(const std::string& name) {
  const std::size_t space = name.find(kSpace);
  return space == std::string::npos ? name : name.substr(0, space);
}

inline std::string GivenName(const std::string& name) {
  const std::size_t space = name.find(kSpace);
  return space == std::string::npos ? name : name.substr(space + std::string(kSpace).size());
}

inline FieldBlock Field(std::string label, std::string value) {
  return FieldBlock{std::move(label), std::move(value), {}, false};
}

inline TextBlock Heading(std::string text) {
  TextBlock block;
  block.text = std::move(text);
  block.size_pt = 12;
  block.bold = true;
  return block;
}

inline TextBlock Paragraph(std::string text, double indent_pt = 12) {
  TextBlock block;
  block.text = std::move(text);
  block.indent_pt = indent_pt;
  return block;
}

inline TextBlock Small(std::string text, Align align = Align::kLeft) {
  TextBlock block;
  block.text = std::move(text);
  block.size_pt = 10;
  block.align = align;
  return block;
}

inline TextBlock Right(std::string text) {
  TextBlock block;
  block.text = std::move(text);
  block.align = Align::kRight;
  return block;
}

// "2026年11月1日" style dates in Western years, as computer-printed reports often write them.
inline std::string WesternDate(const Date& d) {
  return std::to_string(d.year) + "年" + std::to_string(d.month) + "月" + std::to_string(d.day) +
         "日";
}

// The family member the documents of a family attendance are about (the patient when none).
inline const Person& AttendingPerson(const SampleSpec& spec) {
  return spec.family ? spec.family->person : spec.patient;
}

// Where the attending family member lives (the patient's address when living together).
inline std::string FamilyAddress(const SampleSpec& spec) {
  const FamilyMember& member = *spec.family;
  if (member.living_together || member.person.address.empty()) return spec.patient.address;
  return member.person.address;
}

// Makers defined outside content.cc.
DocumentContent SurgeryAttachmentForm(const SampleSpec& spec, Variation& v);
DocumentContent PhysiologicalTest(const SampleSpec& spec, Variation& v);
DocumentContent ImagingReport(const SampleSpec& spec, Variation& v);
DocumentContent PathologyReport(const SampleSpec& spec, Variation& v);
DocumentContent DrugInformationSheet(const SampleSpec& spec, Variation& v);
DocumentContent InsuranceCard(const SampleSpec& spec, Variation& v);
DocumentContent IdDocument(const SampleSpec& spec, Variation& v);
DocumentContent CoverLetter(const SampleSpec& spec, Variation& v);
DocumentContent Envelope(const SampleSpec& spec, Variation& v);
DocumentContent BlankPage(const SampleSpec& spec, Variation& v);

}  // namespace intake::samplegen
