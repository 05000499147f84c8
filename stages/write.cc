#include "stages/write.h"

#include "pipeline/atomic_file.h"
#include "pipeline/log.h"
#include "report/report_html.h"
#include "report/report_json.h"

namespace intake::stages {
namespace {

namespace fs = std::filesystem;

class WriteReportStage final : public Stage {
 public:
  WriteReportStage(fs::path case_dir, report::ReportContext context)
      : case_dir_(std::move(case_dir)), context_(std::move(context)) {}
  std::string_view name() const override { return "write"; }

  Status Run(Case& c) override {
    std::error_code ec;
    fs::create_directories(case_dir_, ec);
    if (ec) return Status::Fail("cannot create the case folder");
    Status s = WriteFileAtomically(case_dir_ / "report.json",
                                   report::ReportJson(c, context_).dump(2) + "\n");
    if (!s.ok()) return s;
    return WriteFileAtomically(case_dir_ / "report.html", report::ReportHtml(c, context_));
  }

 private:
  fs::path case_dir_;
  report::ReportContext context_;
};

}  // namespace

std::unique_ptr<Stage> MakeWriteReportStage(std::filesystem::path case_dir,
                                            report::ReportContext context) {
  return std::make_unique<WriteReportStage>(std::move(case_dir), std::move(context));
}

}  // namespace intake::stages
