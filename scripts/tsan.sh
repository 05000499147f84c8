#!/usr/bin/env bash
# ThreadSanitizer run of the threaded parts: the OCR pool's workers (and their engines loaded on
# the workers' threads), the page time limit, the case watchdog and the work position it reads
# (pipeline/progress.h), the files of a submission hashed and copied on two threads (the case
# folder tests), DICOM headers read on two threads (the DICOM scan tests), and the inbox watcher
# on the real binary (a case over its time limit abandoned from the watchdog thread while the
# stage still runs; the journal written from both).
#
# usage: scripts/tsan.sh [ctest arguments]
#
# Builds with clang in Debug (-O0: quick to build; also CI's clang Debug build of the product)
# into build-tsan/, only the targets these tests need. The watcher's tests take the born-digital
# referral letter of the generated samples from build/ (scripts/test.sh makes it; CI runs that
# first), or generate the samples in build-tsan/ when build/ has none.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --no-build

build=build-tsan
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DINTAKE_TSAN=ON \
  -DINTAKE_WERROR=ON >/dev/null
unit_tests=(ocr_pool_test ocr_time_limit_test case_time_limit_test case_folder_test
  dicom_scan_test)
targets=(intake "${unit_tests[@]}")
letter=build/samples/complete_patient/submission/紹介状.pdf
[[ -f $letter ]] || targets+=(intake-samples)
cmake --build "$build" --target "${targets[@]}"
[[ -f $letter ]] || letter=$build/samples/complete_patient/submission/紹介状.pdf

# tests/tsan.supp: what TSan cannot see into in system libraries (fontconfig); none of ours.
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 history_size=4 suppressions=$PWD/tests/tsan.supp"
# The unit tests by their GoogleTest suites (gtest_discover_tests names them Suite.Test).
ctest --test-dir "$build" --output-on-failure -j2 \
  -R 'OcrPool|OcrTimeLimit|PageTimeLimit|Watchdog|WorkPosition|CaseTimeLimit|QuarantineTimeLimit|CaseFolderTest|DicomScanTest' "$@"
# The watcher, end to end on the TSan-built binary (a ThreadSanitizer report exits non-zero).
# A plain case takes a few seconds in this build: the time-limit test gets 15 s, not 2.
export INTAKE_TEST_CASE_LIMIT=15
for script in watch_inbox watch_time_limit; do
  echo "tsan: $script"
  bash "tests/e2e/$script.sh" "$build/app/intake" "$PWD/$letter"
done
echo "tsan: no data race reported"
