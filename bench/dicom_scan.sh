#!/usr/bin/env bash
# Header scan of a 2,000-file disc: `intake process` against DCMTK's dcmdump, warm and cold cache.
#
# usage: bench/dicom_scan.sh [BUILD_DIR] [RUNS]      (defaults: build, 5)
#
# The disc (4 CT series of 500 slices, 512x512, ~1 GB) is generated once into
# BUILD_DIR/bench-data/. Each run times the whole `intake process DISC --out DIR` (walk, identify,
# header scan, grouping, key images, report) and `dcmdump -q -M +sb 7fe0,0010 +sd +r DISC` (the
# plain tool parsing the same headers, stopping before pixel data) side by side, alternating, so
# both see the same machine load. Cold runs drop the files' page cache first (posix_fadvise, no
# root needed). Prints medians, files per second and the ratio intake / dcmdump.
# The previous run's output (~1 GB: the original kept in 11_原本/) is removed before the clock
# starts, not inside the timed part: deleting it is the bench's housekeeping, not intake's work.
set -euo pipefail

build=${1:-build}
runs=${2:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

ninja -C "$build" intake intake-bench-make-disc intake-bench-evict >/dev/null
intake=$build/app/intake
evict=$build/bench/intake-bench-evict
disc=$build/bench-data/disc2000
if [[ ! -f $disc/.complete ]]; then
  rm -rf "$disc"
  "$build/bench/intake-bench-make-disc" "$disc" --files 2000 --series 4 --size 512
  touch "$disc/.complete"
fi
files=$(find "$disc" -type f ! -name .complete | wc -l)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# Milliseconds taken by a command (its output discarded).
millis() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 || true
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

run_intake() { "$intake" process "$disc" --out "$scratch/out"; }
clear_out() { rm -rf "$scratch/out"; }
run_dcmdump() { dcmdump -q -M +sb 7fe0,0010 +sd +r "$disc"; }
cold() { sync; "$evict" "$disc"; }

# Sanity: intake must have found every image (4 series, 2,000 instances).
clear_out
run_intake >/dev/null 2>&1 || true
report=$(find "$scratch/out" -name report.json | head -1)
instances=$(grep -o '"instance_count": *[0-9]*' "$report" | awk -F: '{ s += $2 } END { print s }')
if [[ $instances -ne 2000 ]]; then
  echo "intake found $instances instances, expected 2000" >&2
  exit 1
fi
run_dcmdump >/dev/null 2>&1 || true  # warm both

declare -A t
for mode in warm cold; do
  for ((i = 0; i < runs; i++)); do
    clear_out
    [[ $mode == cold ]] && cold
    t[$mode-intake]+="$(millis run_intake) "
    [[ $mode == cold ]] && cold
    t[$mode-dcmdump]+="$(millis run_dcmdump) "
  done
done

echo "DICOM header scan: $files files (2,000 images + 4 DICOMDIRs), $runs runs each, medians"
printf '%-6s %14s %14s %16s %16s %8s\n' cache "intake ms" "dcmdump ms" "intake files/s" "dcmdump files/s" ratio
for mode in warm cold; do
  a=$(tr ' ' '\n' <<<"${t[$mode-intake]}" | grep . | median)
  b=$(tr ' ' '\n' <<<"${t[$mode-dcmdump]}" | grep . | median)
  printf '%-6s %14d %14d %16d %16d %8.2f\n' "$mode" "$a" "$b" $((files * 1000 / a)) $((files * 1000 / b)) \
    "$(awk -v a="$a" -v b="$b" 'BEGIN { print a / b }')"
done
echo "(ratio = intake time / dcmdump time; intake does the whole case: walk, identify, scan, key images, report)"
