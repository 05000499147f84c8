// OpenMP inside Tesseract: keep it to one thread per engine, decided before the process starts.
//
// Debian's Tesseract runs its LSTM loops on 4 OpenMP threads. With one engine per core that
// oversubscribes the machine (measured: 8x slower on 2 cores). libgomp reads OMP_THREAD_LIMIT
// once, when it is loaded, before main() runs: setenv() in main() is too late. So the first line
// of main() (the app, and test binaries that OCR) is ReexecWithOpenMpThreadLimit(argv).
#pragma once

namespace intake::ocr {

// When OMP_THREAD_LIMIT is unset, sets it to 1 and re-executes this program (/proc/self/exe)
// with the same arguments. Returns only when it was already set, or when exec failed. Call it
// before any thread starts.
void ReexecWithOpenMpThreadLimit(char** argv);

// The thread limit libgomp really uses; 0 when no OpenMP runtime is loaded.
int OpenMpThreadLimit();

}  // namespace intake::ocr
