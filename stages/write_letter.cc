#include "stages/write_letter.h"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "letter/patient_letter.h"
#include "pipeline/log.h"
#include "pipeline/local_time.h"

namespace intake::stages {
namespace {

std::string LocalToday() { return FormatLocalNow("%Y-%m-%d"); }

std::string FactText(const Case& c, std::string_view name) {
  const Fact* fact = c.FindFact(name);
  if (fact == nullptr) return {};
  const auto* text = std::get_if<std::string>(&fact->value);
  return text ? *text : std::string();
}

letter::PatientLetter LetterContent(const Case& c, const config::Profile& profile,
                                    const std::string& today) {
  const config::LetterSettings& settings = profile.letter;
  letter::PatientLetter out;
  out.case_id = c.id;
  out.addressee = FactText(c, "patient_name");
  out.hospital = profile.name;
  out.letter_date = today;
  out.received_date = c.submission_date;
  out.deadline = AddDays(today, settings.deadline_days);
  out.office = settings.office.empty() ? profile.name : settings.office;
  out.address = settings.address;
  out.phone = settings.phone;
  out.hours = settings.hours;
  out.how_to_send = settings.how_to_send;
  for (const RequirementResult& r : c.requirements) {
    if (r.status != RequirementStatus::kMissing) continue;
    // Documents were found for it, but too few or not acceptable: to be sent again.
    out.items.push_back({r.label, r.ask, !r.evidence_document_ids.empty()});
  }
  return out;
}

class WriteLetterStage final : public Stage {
 public:
  WriteLetterStage(const config::Profile& profile, WriteLetterOptions options)
      : profile_(profile), options_(std::move(options)) {}

  std::string_view name() const override { return "write_letter"; }

  Status Run(Case& c) override {
    c.letter.reset();
    if (c.verdict != Verdict::kIncomplete) return Status::Ok();
    const std::string today = options_.today.empty() ? LocalToday() : options_.today;
    const letter::PatientLetter content = LetterContent(c, profile_, today);
    if (content.items.empty()) return Status::Ok();
    Status written = letter::WritePatientLetter(options_.case_dir / letter::kLetterFileName,
                                                content);
    if (!written.ok()) return Status::Fail("the letter to the patient: " + written.message());
    PatientLetterRecord record;
    record.file = letter::kLetterFileName;
    record.date = today;
    record.deadline = content.deadline;
    for (const RequirementResult& r : c.requirements) {
      if (r.status == RequirementStatus::kMissing) record.requirement_ids.push_back(r.id);
    }
    c.letter = std::move(record);
    Log()->info("case {} letter to the patient written: {} item(s), deadline in {} days", c.id,
                content.items.size(), profile_.letter.deadline_days);
    return Status::Ok();
  }

 private:
  const config::Profile& profile_;
  WriteLetterOptions options_;
};

}  // namespace

std::string AddDays(const std::string& iso_date, int days) {
  if (iso_date.size() != 10) return iso_date;
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  if (std::sscanf(iso_date.c_str(), "%4d-%2u-%2u", &y, &m, &d) != 3) return iso_date;
  const std::chrono::year_month_day date{std::chrono::year{y}, std::chrono::month{m},
                                         std::chrono::day{d}};
  if (!date.ok()) return iso_date;
  const std::chrono::year_month_day later{std::chrono::sys_days(date) + std::chrono::days(days)};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(later.year()),
                static_cast<unsigned>(later.month()), static_cast<unsigned>(later.day()));
  return buf;
}

std::unique_ptr<Stage> MakeWriteLetterStage(const config::Profile& profile,
                                            WriteLetterOptions options) {
  return std::make_unique<WriteLetterStage>(profile, std::move(options));
}

}  // namespace intake::stages
