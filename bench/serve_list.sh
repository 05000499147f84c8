#!/usr/bin/env bash
# The review server's case list under load (issue 14): N cases (default 2,000) in an output
# folder (report.json and report.html made by intake-serve-fixture through the real rules and
# report writers), `intake serve` started on a free port, then GET /api/cases with HTTP Basic
# credentials: the first answer (cold: every report.json read once) and the median and 90th
# percentile of 21 answers after it (the server keeps each case's row until its report.json
# changes), and of a search by reading and verdict.
#
# usage: bench/serve_list.sh BUILD_DIR [N] [--check]
#   --check   fail (exit 1) when the API's median is 200 ms or more: the test `load.serve_list`
set -euo pipefail
build=$(cd "${1:?usage: bench/serve_list.sh BUILD_DIR [N] [--check]}" && pwd)
count=${2:-2000}
check=0
[ "${3:-}" = "--check" ] && check=1
intake="$build/app/intake"
fixture="$build/tests/serve/intake-serve-fixture"
run="$build/bench-runs/serve-list"
rm -rf "$run"
mkdir -p "$run/out"

start=$(date +%s.%N)
"$fixture" "$run/out" "$count" > /dev/null 2>&1
made=$(date +%s.%N)
awk -v n="$count" -v s="$start" -v e="$made" 'BEGIN { printf "made %d case folders in %.1f s\n", n, e - s }'
echo "bench-password-1" | "$intake" user add bench --role physician --out "$run/out" > /dev/null

fail() { echo "$*:"; cat "$run/serve.log"; exit 1; }
# shellcheck source=../tests/serve/serve_lib.sh
source "$(dirname "$0")/../tests/serve/serve_lib.sh"
server=""
trap 'kill "$server" 2> /dev/null || true; wait "$server" 2> /dev/null || true' EXIT
start_serve "$intake" "$run/out" "$run/serve.log"

# Seconds of one GET (curl's time_total), failing on an HTTP error.
get() {
  curl -sf -o "$run/answer" -w '%{time_total}\n' -u bench:bench-password-1 "http://127.0.0.1:$port$1"
}
median_and_p90() { sort -n | awk '{ v[NR] = $1 } END { printf "%.1f %.1f\n", v[int((NR + 1) / 2)] * 1000, v[int(NR * 0.9)] * 1000 }'; }

cold=$(get /api/cases)
listed=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["cases"]))' "$run/answer")
[ "$listed" = "$count" ] || { echo "the list holds $listed cases, not $count"; exit 1; }
read -r api_median api_p90 < <(for _ in $(seq 21); do get /api/cases; done | median_and_p90)
read -r search_median _ < <(for _ in $(seq 21); do get "/api/cases?q=%E3%82%84%E3%81%BE%E3%81%A0&verdict=needs_review"; done | median_and_p90)
printf 'GET /api/cases, %d cases: cold %.0f ms; warm median %s ms, p90 %s ms; search median %s ms\n' \
  "$count" "$(awk -v c="$cold" 'BEGIN { print c * 1000 }')" "$api_median" "$api_p90" "$search_median"
if [ "$check" = 1 ] && ! awk -v m="$api_median" 'BEGIN { exit !(m < 200) }'; then
  echo "FAIL: the case list's median answer is ${api_median} ms (limit 200 ms)"
  exit 1
fi
echo ok
