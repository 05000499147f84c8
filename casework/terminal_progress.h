// A one-line progress display on the terminal (stderr) while cases are processed:
//
//   [20261121-1a2b3c4d] 3/9 ocr: 5/8 pages read
//
// Log lines keep working: they go through the same sink, which clears the progress line, writes
// the log line and draws the progress line again below it. Installed only when stderr is a
// terminal (services and tests get plain logs). Ids and counts only, never patient data.
#pragma once

namespace intake::casework {

// Installs the display when stderr is a terminal and `enabled`; returns whether it did. Call
// after SetLogLevel/SetLogFormat and before processing starts; it lives until the program ends.
bool InstallTerminalProgress(bool enabled = true);

}  // namespace intake::casework
