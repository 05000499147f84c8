#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan, in build-asan/: scripts/asan_tree.sh) and
# runs each for a bounded time.
#
# usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 30 s, every target)
#
# Each target starts from its seed corpus in fuzz/corpus/<name>/ (kept small, in git) and
# writes what it discovers to build-asan/corpus/<name>/ (not in git). A crash, leak, sanitizer
# report or timeout fails the script and leaves the reproducer in build-asan/artifacts/;
# reproduce with `build-asan/fuzz/fuzz_<name> build-asan/artifacts/<file>`. Two targets run at a
# time, one per core.
set -euo pipefail

cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(profile manifest archive dicom charset tiff pdf)

source scripts/asan_tree.sh  # the sanitizers' tree: after scripts/sanitize.sh, only links
build=$asan_build
configure_asan_tree
ninja -C "$build" $(printf 'fuzz_%s ' "${targets[@]}")
mkdir -p "$build/artifacts"

# One target for `seconds`; its log in build-asan/fuzz_<t>.log.
fuzz_one() {
  local t=$1 extra=()
  mkdir -p "$build/corpus/$t"
  [[ $t == profile ]] && extra+=(config/profiles)
  "$build/fuzz/fuzz_$t" "$build/corpus/$t" "fuzz/corpus/$t" "${extra[@]}" \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$build/artifacts/${t}-" -print_final_stats=1 2>"$build/fuzz_$t.log"
}

# Two targets at a time (each is single-threaded; the machine has two cores).
failed=()
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  batch=("${targets[@]:i:2}")
  declare -A pid=()
  for t in "${batch[@]}"; do
    echo "fuzz_$t: ${seconds}s"
    fuzz_one "$t" &
    pid[$t]=$!
  done
  for t in "${batch[@]}"; do
    if wait "${pid[$t]}"; then
      echo "fuzz_$t: $(grep -E "^stat::number_of_executed_units|^Done" "$build/fuzz_$t.log" | tr '\n' ' ')"
    else
      tail -60 "$build/fuzz_$t.log"
      echo "fuzz_$t FAILED (log: $build/fuzz_$t.log)" >&2
      failed+=("$t")
    fi
  done
  unset pid
done
[[ ${#failed[@]} -eq 0 ]] || exit 1
echo "all fuzz targets ran ${seconds}s without a finding"
