#include "stages/write_report.h"

#include <fstream>

#include "pipeline/log.h"
#include "report/report_html.h"
#include "report/report_json.h"

namespace intake::stages {
namespace {

namespace fs = std::filesystem;

// Writes `bytes` to `path` atomically: a temp file in the same folder, flushed, then renamed.
Status WriteAtomically(const fs::path& path, const std::string& bytes) {
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Status::Fail("cannot create a file in the case folder");
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) return Status::Fail("write error in the case folder (disk full?)");
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Status::Fail("cannot rename a file in the case folder");
  return Status::Ok();
}

class WriteReportStage final : public Stage {
 public:
  WriteReportStage(fs::path case_dir, report::ReportContext context)
      : case_dir_(std::move(case_dir)), context_(std::move(context)) {}
  std::string_view name() const override { return "write"; }

  Status Run(Case& c) override {
    std::error_code ec;
    fs::create_directories(case_dir_, ec);
    if (ec) return Status::Fail("cannot create the case folder");
    Status s =
        WriteAtomically(case_dir_ / "report.json", report::ReportJson(c, context_).dump(2) + "\n");
    if (!s.ok()) return s;
    return WriteAtomically(case_dir_ / "report.html", report::ReportHtml(c, context_));
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
