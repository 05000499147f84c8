// `intake case`: staff move a case on without the browser, and list where the cases stand.
//
//   intake case forward ID --out DIR             the case went to the physician
//   intake case close ID --out DIR --reason TEXT  the case is closed (the reason stays in the case
//                                                 folder; the audit trail records the change)
//   intake case list --out DIR                    one line per case: id, state, days waited, verdict,
//                                                 envelopes
// Exit codes: 0 done, 1 no such case, 2 bad usage, 3 the output folder cannot be written.
#pragma once

#include <filesystem>
#include <string>

namespace intake::app {

struct CaseCommandArgs {
  std::string case_id;
  std::filesystem::path out_dir;
  std::string reason;
};

int RunCaseForward(const CaseCommandArgs& args);
int RunCaseClose(const CaseCommandArgs& args);
int RunCaseList(const CaseCommandArgs& args);

}  // namespace intake::app
