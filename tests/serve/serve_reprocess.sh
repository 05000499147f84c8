#!/usr/bin/env bash
# Decisions survive reprocessing, through the real commands: `intake process` makes a case from
# the born-digital referral letter, `intake serve` takes a decision on it over the API, the same
# submission is processed again (same case id: the folder is made anew), and the decision is
# still in decisions.json and applied again to the new report. Then a run that hangs and is
# abandoned at --case-time-limit: the finished case stays as it was (process works in staging),
# decisions.json with it, and the next run applies the decision again. The audit
# trail verifies.
# usage: serve_reprocess.sh INTAKE PDF
set -euo pipefail
intake="$1"
pdf="$2"
[ -f "$pdf" ] || { echo "no sample PDF at $pdf (build the intake-samples target)"; exit 1; }
T=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2> /dev/null; rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# shellcheck source=serve_lib.sh
source "$(dirname "$0")/serve_lib.sh"
mkdir -p "$T/out"
cp "$pdf" "$T/letter.pdf"

id=$("$intake" process "$T/letter.pdf" --out "$T/out" 2> "$T/process1.log" | sed -n 's/^case \([^ ]*\) .*/\1/p')
[ -n "$id" ] || fail "intake process made no case"
echo "clerk-password-1" | "$intake" user add clerk1 --role clerk --out "$T/out" > /dev/null
start_serve "$intake" "$T/out" "$T/serve.log"
api="http://127.0.0.1:$port/api/cases/$id"
status_of() { python3 -c 'import json,sys; r=json.load(sys.stdin); print([q["status"] for q in r["requirements"] if q["id"]==sys.argv[1]][0])' "$1"; }

before=$(curl -sf -u clerk1:clerk-password-1 "$api" | status_of consultation_sheet)
[ "$before" = missing ] || fail "consultation_sheet is $before before the decision, not missing"
code=$(curl -s -o "$T/answer" -w '%{http_code}' -u clerk1:clerk-password-1 \
  -H 'Content-Type: application/json' \
  -d '{"requirement":"consultation_sheet","status":"present","reason":"届いた原本を確認"}' "$api/decisions")
[ "$code" = 201 ] || fail "the decision answered $code: $(cat "$T/answer")"

"$intake" process "$T/letter.pdf" --out "$T/out" > /dev/null 2> "$T/process2.log"
[ -f "$T/out/$id/decisions.json" ] || fail "decisions.json did not survive the reprocessing"
grep -q '"review"' "$T/out/$id/report.json" && fail "the new report.json is not the pipeline's"
after=$(curl -sf -u clerk1:clerk-password-1 "$api" | status_of consultation_sheet)
[ "$after" = present ] || fail "consultation_sheet is $after after reprocessing, not present"
grep -q '"review"' "$T/out/$id/report.json" || fail "the report was not recomputed on disk"

set +e
INTAKE_HANG_AT=pages "$intake" process "$T/letter.pdf" --out "$T/out" --case-time-limit 2 \
  > /dev/null 2> "$T/process3.log"
code=$?
set -e
[ "$code" = 1 ] || fail "a case over its time limit exited $code, not 1"
# `intake process` builds a case in staging and renames it into place: the abandoned run left the
# case as it was, its report and decisions.json whole, and the case can be decided on.
[ -f "$T/out/$id/report.json" ] || fail "the abandoned run took the finished case's report away"
[ -f "$T/out/$id/decisions.json" ] || fail "the abandoned run took decisions.json away"
code=$(curl -s -o /dev/null -w '%{http_code}' -u clerk1:clerk-password-1 "$api")
[ "$code" = 200 ] || fail "the finished case answered $code after an abandoned run, not 200"
"$intake" process "$T/letter.pdf" --out "$T/out" > /dev/null 2> "$T/process4.log"
after=$(curl -sf -u clerk1:clerk-password-1 "$api" | status_of consultation_sheet)
[ "$after" = present ] || fail "consultation_sheet is $after after the abandoned run, not present"
"$intake" audit --verify --out "$T/out" > /dev/null || fail "the audit trail does not verify"
echo "ok: the decision survived reprocessing ($id)"
