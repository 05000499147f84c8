#!/usr/bin/env bash
# Runs the intake-bench development set (../shared/intake-bench: envelopes made independently of
# our generator, with the reports they should give) with the built `intake process`, and fails
# when fewer cases pass than bench/intake_bench_min_pass records. Raise that number as cases are
# fixed; never lower it to make a change land. Usage: scripts/intake_bench.sh [grader options,
# e.g. --cases c03,c25]. Run scripts/setup.sh (or scripts/test.sh) first: it builds build/.
set -euo pipefail
cd "$(dirname "$0")/.."
bench=../shared/intake-bench
if [ ! -f "$bench/grade.py" ]; then
  echo "intake-bench: $bench/grade.py not found beside this clone; skipped" >&2
  exit 0
fi
min=$(grep -v '^#' bench/intake_bench_min_pass | head -1 | tr -d '[:space:]')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$bench/grade.py" --corpus "$bench/corpus" \
  --cmd "$PWD/build/app/intake process {submission} --out {out}" \
  --out "$work/run" --json "$work/scores.json" "$@" | tee "$work/log"
headline=$(grep '^intake-bench:' "$work/log" | tail -1)
passed=$(sed -E 's/^intake-bench: ([0-9]+)\/.*/\1/' <<<"$headline")
if [ "$#" -eq 0 ] && [ "$passed" -lt "$min" ]; then
  echo "intake-bench: $passed cases pass, fewer than the $min recorded in bench/intake_bench_min_pass" >&2
  exit 1
fi
echo "intake-bench: $passed cases pass (at least $min required)"
