#!/usr/bin/env bash
# Throughput of several watchers sharing one PostgreSQL journal (issue 18): N born-digital
# submissions (letters and folders, no OCR) in the inbox, then 1 watcher, or 2 watchers, started
# together with `--once` on the same inbox and output folder; the time from their start until the
# last one exits. Prints submissions per minute for each, alternating 1 and 2 for RUNS rounds, and
# the ratio of the medians (2 watchers / 1 watcher). A real PostgreSQL 15 is started for the run
# (tests/e2e/pg_lib.sh), each run on a new database.
#
# usage: bench/shared_watchers.sh BUILD_DIR [N] [RUNS]     (defaults: N 200, RUNS 3)
#
# What it measures: the coordination (leases, fenced publishing, shared audit trail and index)
# and the per-case work outside OCR, which is single-threaded per watcher. OCR-heavy submissions
# scale differently: one watcher already spreads a scan's pages over the cores (--workers).
set -uo pipefail
[ $# -ge 1 ] || { sed -n '/^# usage:/p' "$0" >&2; exit 2; }
BUILD=$(cd "$1" && pwd) || exit 2
N=${2:-200}
RUNS=${3:-3}
INTAKE=$BUILD/app/intake
PDF="$BUILD/samples/complete_patient/submission/紹介状.pdf"
[ -x "$INTAKE" ] && [ -f "$PDF" ] || { echo "build intake and intake-samples first" >&2; exit 2; }
source "$(dirname "$0")/../tests/e2e/pg_lib.sh"
T=$(mktemp -d)
pg_start
trap 'kill -9 $(jobs -p) 2>/dev/null; wait 2>/dev/null; pg_stop; rm -rf "$T"' EXIT

# The submissions, made once: every fifth a folder (letter + note), the others letters, each
# with bytes of its own.
mkdir -p "$T/ref"
for ((i = 1; i <= N; i++)); do
  if ((i % 5 == 0)); then
    mkdir "$T/ref/env-$i"; cp "$PDF" "$T/ref/env-$i/letter.pdf"; echo "note $i" >"$T/ref/env-$i/note.txt"
  else
    { cat "$PDF"; echo "% $i"; } >"$T/ref/sub-$i.pdf"
  fi
done

# run WATCHERS ROUND: prints the seconds from the watchers' start to the last one's exit.
run() {
  local watchers=$1 db="b$2w$1" dir="$T/run-$2-$1"
  psql "$PG_URL" -qAt -c "CREATE DATABASE $db" >/dev/null || exit 1
  local url="${PG_URL%/*}/$db"
  mkdir -p "$dir/inbox"
  cp -r "$T/ref/." "$dir/inbox/"
  sleep 0.5  # older than --settle when the watchers look
  local start pids=() w
  start=$(date +%s.%N)
  for ((w = 1; w <= watchers; w++)); do
    "$INTAKE" watch "$dir/inbox" --out "$dir/out" --journal "$url" --once --settle 0.2 --rescan 1 \
      --workers 1 --no-progress --log-level warn >"$dir/w$w.out" 2>"$dir/w$w.err" &
    pids+=($!)
  done
  wait "${pids[@]}"
  local end
  end=$(date +%s.%N)
  local cases
  cases=$(cat "$dir"/w*.out | grep -c '^case ')
  [ "$cases" -eq "$N" ] || { echo "run $2 with $watchers watchers made $cases cases of $N" >&2; exit 1; }
  [ -z "$(ls -A "$dir/inbox")" ] || { echo "inbox not empty" >&2; exit 1; }
  "$INTAKE" audit --out "$dir/out" --verify --log-level off >/dev/null || { echo "audit" >&2; exit 1; }
  rm -rf "$dir"
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", b - a }'
}
calc() { awk "BEGIN { print $1 }"; }

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
one=() two=()
for ((r = 1; r <= RUNS; r++)); do
  s1=$(run 1 "$r") || exit 1
  s2=$(run 2 "$r") || exit 1
  one+=("$s1"); two+=("$s2")
  printf 'round %d: 1 watcher %.2f s (%.0f/min), 2 watchers %.2f s (%.0f/min)\n' "$r" "$s1" \
    "$(calc "$N * 60 / $s1")" "$s2" "$(calc "$N * 60 / $s2")"
done
m1=$(printf '%s\n' "${one[@]}" | median)
m2=$(printf '%s\n' "${two[@]}" | median)
printf 'median: 1 watcher %.0f submissions/min, 2 watchers %.0f submissions/min, ratio %.2f\n' \
  "$(calc "$N * 60 / $m1")" "$(calc "$N * 60 / $m2")" "$(calc "$m1 / $m2")"
