# Sourced by scripts/sanitize.sh and scripts/fuzz.sh: configures build-asan/, the one tree both
# use. clang, AddressSanitizer + UndefinedBehaviorSanitizer, and libFuzzer's coverage
# instrumentation (-fsanitize=fuzzer-no-link) so that the fuzz targets link against the libraries
# the test suite has just run under the sanitizers instead of a second build of them. No page
# corpora (INTAKE_CORPUS=OFF: minutes of drawing under ASan, for measurements the plain run makes).
asan_build=build-asan
configure_asan_tree() {
  CC=clang CXX=clang++ cmake -S . -B "$asan_build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DINTAKE_SANITIZE=ON -DINTAKE_FUZZ=ON -DINTAKE_CORPUS=OFF -DINTAKE_WERROR=ON >/dev/null
}
# Leaks inside system font caches are suppressed (tests/lsan.supp); ours fail the run.
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
