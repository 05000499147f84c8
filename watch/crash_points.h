// Crash points: named places in the watcher where a test can make the process die by SIGKILL.
//
// Set INTAKE_CRASH_AT=NAME (or NAME#N for the N-th time the point is reached) in the
// environment; CrashPoint(NAME) then raises SIGKILL there, exactly like an operator's kill -9 at
// that moment. Without the variable CrashPoint costs a comparison. The names are listed in
// watch/watcher.cc where they are placed; tests/e2e/watch_crash_points.sh goes through all of
// them and checks that a restart finishes every submission exactly once.
//
// INTAKE_FAIL_AT=NAME makes InjectedFailure(NAME) true instead, each time: the watcher then
// treats that step as failed (a case that cannot be made, an audit record that cannot be
// written), which is how tests reach the quarantine and `intake retry` on purpose. Names:
// "process" (the case processor's result) and "record" (the observer before archiving).
#pragma once

#include <string_view>

namespace intake::watch {

void CrashPoint(std::string_view name);
bool InjectedFailure(std::string_view name);

}  // namespace intake::watch
