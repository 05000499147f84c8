// DICOM tag stream walked without DCMTK: how deep sequences nest, checked before DCMTK parses.
//
// DCMTK reads sequences recursively, so a file nesting them thousands deep overflows the stack
// and kills the process (10,000 levels do on an 8 MB stack). CheckSequenceDepth walks the file's
// elements with an explicit stack (defined and undefined lengths, explicit and implicit VR, both
// byte orders, the deflated transfer syntax) and fails when sequences nest deeper than the limit.
// It reads only element headers and seeks over values, so it costs about what the header does.
// Behind a plain meta header naming a syntax DCMTK knows, only that reading is walked (DCMTK
// reads no other); otherwise DCMTK guesses, and every reading is walked.
// Anything it does not understand ends the walk without failing: telling a broken file from a
// good one is DCMTK's job; this walk only guards the depth.
#pragma once

#include <filesystem>

#include "pipeline/result.h"

namespace intake::dicom {

// Real files nest a few levels (a structured report a few dozen at most); DCMTK overflows the
// stack of a worker thread somewhere in the thousands.
inline constexpr int kMaxSequenceDepth = 128;

// Fails ("DICOM sequences nested deeper than N levels") when sequences nest deeper than
// `max_depth` under any reading of the data set that DCMTK might choose; ok otherwise, and on
// files it cannot read (DCMTK reports those).
Status CheckSequenceDepth(const std::filesystem::path& path, int max_depth = kMaxSequenceDepth);

// Value representations: a known two-letter VR, and one written with a 4-byte length in explicit
// VR (OB, SQ, UN, UT ...).
bool IsKnownVr(char a, char b);
bool HasLongLength(char a, char b);

}  // namespace intake::dicom
