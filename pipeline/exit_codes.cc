#include "pipeline/exit_codes.h"

#include <array>

namespace intake {
namespace {

constexpr std::array kExitCodes{
#define INTAKE_EXIT(id, value, help, meaning) ExitCodeInfo{id, help, meaning},
#include "pipeline/exit_codes.def"
#undef INTAKE_EXIT
};

}  // namespace

std::span<const ExitCodeInfo> AllExitCodes() { return kExitCodes; }

std::string ExitCodesHelp() {
  std::string out = "Exit codes:";
  for (const auto& info : kExitCodes) {
    out += "\n  " + std::to_string(static_cast<int>(info.code)) + "  ";
    out += info.help;
  }
  return out;
}

}  // namespace intake
