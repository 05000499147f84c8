// Stop requests from SIGINT and SIGTERM, for a loop that must finish its current step first.
//
// InstallStopSignals() replaces both handlers: the first signal sets a flag and wakes anyone
// polling StopWakeFd(); a second one ends the process at once (_exit 130): the watcher's journal
// makes that as safe as a kill -9. Call once, from the main thread, before starting threads that
// should not see the signals (they are blocked nowhere; the handler is async-signal-safe).
#pragma once

namespace intake::watch {

void InstallStopSignals();
bool StopRequested();
// A file descriptor that becomes readable once a stop is requested (for poll(2)).
int StopWakeFd();
// For tests and --once: ask to stop as if a signal had arrived.
void RequestStop();

}  // namespace intake::watch
