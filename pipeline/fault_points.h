// Fault points: named places in the product where an end-to-end test can make the real binary
// die, fail or hang, through the environment. Without the variables each costs a comparison.
//
// INTAKE_CRASH_AT=NAME (or NAME#N for the N-th time the point is reached): CrashPoint(NAME)
// raises SIGKILL there, exactly like an operator's kill -9 at that moment. The names are listed
// in watch/watcher.cc where they are placed; tests/e2e/watch_crash_points.sh goes through all of
// them and checks that a restart finishes every submission exactly once.
//
// INTAKE_FAIL_AT=NAME makes InjectedFailure(NAME) true instead, each time: the watcher then
// treats that step as failed (a case that cannot be made, an audit record that cannot be
// written), which is how tests reach the quarantine and `intake retry` on purpose. Names:
// "process" (the case processor's result) and "record" (the observer before archiving).
//
// INTAKE_HANG_AT=NAME (or NAME#N): HangPoint(NAME) sleeps forever there, like a library that
// never returns from a hostile file; the case time limit (casework/case_processor.h) must end it.
// Names: "unpack" (before an archive is read), "pages" (before a file's pages are read).
// The watcher drops the variable when it restarts itself after a time limit (the hang was
// injected once; watch/self_restart.h).
//
// INTAKE_PAUSE_AT=NAME (or NAME#N): PausePoint(NAME) sleeps INTAKE_PAUSE_SECONDS (default 5)
// there, once, so that a test can act on the world meanwhile (stop the PACS half-way through a
// forward). Names: "forward_stored" (after an instance was acknowledged; forward/forwarder.cc).
#pragma once

#include <string_view>

namespace intake {

inline constexpr const char* kHangAtVariable = "INTAKE_HANG_AT";

void CrashPoint(std::string_view name);
bool InjectedFailure(std::string_view name);
void HangPoint(std::string_view name);
void PausePoint(std::string_view name);

}  // namespace intake
