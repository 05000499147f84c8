#!/usr/bin/env bash
# Builds the whole project with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/) and
# runs the test suite under them. Usage: scripts/sanitize.sh [ctest arguments]
# Leaks inside system font caches are suppressed (tests/lsan.supp); ours fail the run.
# The page corpora are not generated here (INTAKE_CORPUS=OFF: minutes of drawing under ASan, for
# measurements the plain run makes); CI also leaves out `-L 'load|soak'`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --no-build
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DINTAKE_SANITIZE=ON \
  -DINTAKE_CORPUS=OFF -DINTAKE_WERROR=ON >/dev/null
cmake --build build-asan
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export ASAN_OPTIONS="detect_leaks=1"
ctest --test-dir build-asan --output-on-failure -j2 "$@"
