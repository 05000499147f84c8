// Restarting the watcher in place, after a case ran over its time limit.
//
// A stuck case cannot be stopped (its thread is inside Poppler, DCMTK or libarchive), so the
// watcher replaces its whole process with a fresh run of the same program and arguments. The
// process id stays the same (systemd sees no exit); the new run takes the output folder's lock
// again and its recovery finishes what the journal says was left half-done.
#pragma once

#include <string>
#include <vector>

namespace intake::watch {

// execve of /proc/self/exe with `argv` (argv[0] first). Every file descriptor above 2 is closed
// on the exec (the output folder's lock, the journal, files a library left open), and
// INTAKE_HANG_AT (pipeline/fault_points.h) is left out of the environment: an injected hang
// happens once. Returns only when the exec failed (errno says why).
void RestartSelf(const std::vector<std::string>& argv);

}  // namespace intake::watch
