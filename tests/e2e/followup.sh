#!/usr/bin/env bash
# End-to-end (issue 15): a case that spans envelopes.
#   1. A family-only envelope without the consent form (sample family_missing_consent): incomplete,
#      the letter to the patient (pdftotext: every missing item, the case id, the deadline; fonts
#      embedded) with its reply slip's QR code.
#   2. The follow-up: a scan of the printed reply slip (drawn with pdftoppm, degraded by the
#      sample generator's --scan) plus the consent form (sample followup_consent): the same case,
#      now complete, two envelopes each kept with its SHA256SUMS, state complete.
#   3. The consent form alone, in a fresh output folder: matched by identity, complete,
#      FOLLOWUP_MATCHED.
#   4. Another patient's consent form (sample followup_unrelated): a case of its own,
#      FOLLOWUP_UNMATCHED.
#   5. `intake case forward` and `intake case close`, `intake status`, index.html.
#   6. The watcher killed (SIGKILL) while attaching a follow-up, at each step from the case
#      written to the original archived: after a restart the case holds the envelope once.
# Usage: followup.sh INTAKE SAMPLEGEN SAMPLES_DIR
set -u
INTAKE="$1"
SAMPLEGEN="$2"
SAMPLES="$3"
FIRST="$SAMPLES/family_missing_consent/submission/書類一式.zip"
CONSENT="$SAMPLES/followup_consent/submission/同意書.pdf"
UNRELATED="$SAMPLES/followup_unrelated/submission/同意書.pdf"
for f in "$FIRST" "$CONSENT" "$UNRELATED"; do
  [ -f "$f" ] || { echo "missing sample $f (build the intake-samples target)"; exit 1; }
done
failures=0
T=$(mktemp -d)
trap 'if [ "$failures" -eq 0 ]; then rm -rf "$T"; else echo "kept $T"; fi' EXIT
fail() { echo "FAIL  $*"; failures=$((failures + 1)); }
ok() { echo "ok    $*"; }
process() {  # process OUT SUBMISSION: prints the case id
  "$INTAKE" process "$2" --out "$1" 2>>"$T/err" | awk '/^case /{ print $2 }' | tail -1
}
field() { jq -r "$2" "$1/report.json"; }  # field CASE_DIR JQ
case_count() { (cd "$1" && ls -d 2[0-9]*-* 2>/dev/null | wc -l); }
sums_ok() { (cd "$1" && sha256sum --quiet -c SHA256SUMS >/dev/null 2>&1); }

# 1. The first envelope and its letter.
OUT="$T/slip"
A=$(process "$OUT" "$FIRST")
[ "$(field "$OUT/$A" .verdict)" = incomplete ] && ok "first envelope: incomplete ($A)" ||
  fail "first envelope: verdict $(field "$OUT/$A" .verdict)"
LETTER="$OUT/$A/不足書類のご案内.pdf"
if [ -f "$LETTER" ] && [ "$(field "$OUT/$A" .letter.file)" = "不足書類のご案内.pdf" ]; then
  text=$(pdftotext -layout "$LETTER" -)
  deadline=$(date -d "$(field "$OUT/$A" .letter.deadline)" +%Y年%-m月%-d日)
  missing_ok=1
  while read -r label; do
    grep -qF "$label" <<<"$text" || { fail "letter lacks the item $label"; missing_ok=0; }
  done < <(jq -r '.requirements[] | select(.status == "missing") | .label' "$OUT/$A/report.json")
  grep -qF "$A" <<<"$text" && grep -qF "${deadline}まで" <<<"$text" && [ $missing_ok -eq 1 ] &&
    ok "letter: every missing item, the case id and the deadline ($deadline) in its text" ||
    fail "letter text lacks the case id or the deadline $deadline"
  pdffonts "$LETTER" | awk 'NR > 2 && $(NF-4) != "yes" { bad = 1 } END { exit bad }' &&
    ok "letter: fonts embedded" || fail "letter: a font is not embedded"
  [ "$(field "$OUT/$A" .state.state)" = waiting_for_patient ] && ok "state waiting_for_patient" ||
    fail "state after the letter: $(field "$OUT/$A" .state.state)"
else
  fail "no letter to the patient in $A"
fi

# 2. The follow-up with the printed reply slip on top, scanned.
mkdir -p "$T/reply"
pdftoppm -r 200 -gray -png -f 1 -l 1 -y 1500 -H 839 "$LETTER" "$T/slip-drawn"
"$SAMPLEGEN" --scan "$T/slip-drawn-1.png" "$T/reply/返信用紙.png" --seed 15 2>>"$T/err" ||
  fail "the sample generator could not scan the slip"
cp "$CONSENT" "$T/reply/同意書.pdf"
B=$(process "$OUT" "$T/reply")
if [ "$B" = "$A" ]; then
  ok "follow-up with the reply slip: attached to case $A"
  [ "$(field "$OUT/$A" .verdict)" = complete ] && ok "the case is now complete" ||
    fail "verdict after the follow-up: $(field "$OUT/$A" .verdict)"
  [ "$(field "$OUT/$A" '.envelopes | length')" = 2 ] &&
    [ "$(field "$OUT/$A" '.envelopes[1].matched_by')" = reply_slip ] &&
    [ "$(field "$OUT/$A" '[.documents[] | select(.envelope == 2) | .type] | index("consent_form") != null')" = true ] &&
    ok "two envelopes; the consent form came in envelope 2, by the reply slip" ||
    fail "envelopes: $(jq -c '[.envelopes[] | {number, matched_by}]' "$OUT/$A/report.json")"
  sums_ok "$OUT/$A/11_原本" && sums_ok "$OUT/$A/11_原本/封筒2" &&
    ok "both originals kept, sha256sum -c passes" || fail "kept originals do not check"
  [ "$(case_count "$OUT")" = 1 ] && ok "no second case folder" || fail "$(case_count "$OUT") case folders"
  [ "$(field "$OUT/$A" .state.state)" = complete ] && ok "state complete" ||
    fail "state after the follow-up: $(field "$OUT/$A" .state.state)"
  grep -q '"event":"case_state"' "$OUT/audit.log" && "$INTAKE" audit --verify --out "$OUT" >/dev/null &&
    ok "state changes in the audit trail, which verifies" || fail "audit trail"
else
  fail "follow-up with the reply slip became case '$B', not $A"
fi

# 3. The consent form alone: matched by the patient's identity.
OUT2="$T/identity"
A2=$(process "$OUT2" "$FIRST")
B2=$(process "$OUT2" "$CONSENT")
if [ "$B2" = "$A2" ]; then
  ok "follow-up without the slip: attached to $A2 by identity"
  [ "$(field "$OUT2/$A2" .verdict)" = complete ] &&
    [ "$(field "$OUT2/$A2" '[.findings[].code] | index("FOLLOWUP_MATCHED") != null')" = true ] &&
    [ "$(field "$OUT2/$A2" '.envelopes[1].matched_by')" = identity ] &&
    ok "complete, FOLLOWUP_MATCHED for staff to confirm" ||
    fail "identity match: verdict $(field "$OUT2/$A2" .verdict), codes $(jq -c '[.findings[].code]' "$OUT2/$A2/report.json")"
else
  fail "follow-up without the slip became case '$B2', not $A2"
fi
# The same follow-up again: already held, not added twice.
B3=$(process "$OUT2" "$CONSENT")
[ "$B3" = "$A2" ] && [ "$(field "$OUT2/$A2" '.envelopes | length')" = 2 ] &&
  ok "the same follow-up again: still two envelopes" ||
  fail "repeat: case $B3, $(field "$OUT2/$A2" '.envelopes | length') envelopes"

# 4. Another patient's consent form: a case of its own.
C=$(process "$OUT2" "$UNRELATED")
if [ -n "$C" ] && [ "$C" != "$A2" ]; then
  [ "$(field "$OUT2/$C" '[.findings[].code] | index("FOLLOWUP_UNMATCHED") != null')" = true ] &&
    ok "unrelated follow-up: own case $C with FOLLOWUP_UNMATCHED" ||
    fail "unrelated follow-up: codes $(jq -c '[.findings[].code]' "$OUT2/$C/report.json")"
else
  fail "unrelated follow-up became case '$C'"
fi

# 5. Staff move the case on without the browser.
"$INTAKE" case forward "$A2" --out "$OUT2" >/dev/null 2>>"$T/err" &&
  "$INTAKE" case close "$A2" --out "$OUT2" --reason "相談終了" >/dev/null 2>>"$T/err" &&
  [ "$(jq -r .state "$OUT2/$A2/case_state.json")" = closed ] &&
  [ "$(jq -r '.history[-1].reason' "$OUT2/$A2/case_state.json")" = 相談終了 ] &&
  ok "intake case forward, then close with a reason" || fail "case forward/close"
"$INTAKE" case list --out "$OUT2" | grep -q "^$A2 closed" &&
  ok "intake case list shows the case closed" || fail "intake case list: $("$INTAKE" case list --out "$OUT2")"
grep -q '終了' "$OUT2/index.html" && grep -q '患者さん待ち\|完備' "$OUT2/index.html" &&
  ok "index.html shows the states" || fail "index.html lacks the states"
"$INTAKE" case close 20990101-00000000 --out "$OUT2" --reason x >/dev/null 2>&1
[ $? -eq 1 ] && ok "closing an unknown case: exit 1" || fail "closing an unknown case did not exit 1"

# 6. The watcher killed while attaching a follow-up; restarted, the case holds it once.
for point in process:written process:published archive:journaled archive:recorded; do
  W="$T/watch-${point/:/-}"
  mkdir -p "$W/inbox"
  cp "$FIRST" "$W/inbox/書類一式.zip"
  "$INTAKE" watch "$W/inbox" --out "$W/out" --settle 0.2 --once --no-progress >/dev/null 2>>"$T/err"
  cp -r "$T/reply" "$W/inbox/.reply.tmp" && mv "$W/inbox/.reply.tmp" "$W/inbox/reply"
  INTAKE_CRASH_AT="$point" "$INTAKE" watch "$W/inbox" --out "$W/out" --settle 0.2 --once \
    --no-progress >/dev/null 2>>"$T/err"
  rc=$?
  "$INTAKE" watch "$W/inbox" --out "$W/out" --settle 0.2 --once --no-progress >/dev/null 2>>"$T/err"
  cases=$(case_count "$W/out")
  id=$(cd "$W/out" && ls -d 2[0-9]*-* | head -1)
  envelopes=$(jq -r '.envelopes | length' "$W/out/$id/report.json" 2>/dev/null)
  done_rows=$("$INTAKE" status --out "$W/out" --log-level off | grep -c " done ")
  [ "$rc" -eq 137 ] && [ "$cases" = 1 ] && [ "$envelopes" = 2 ] && [ "$done_rows" = 2 ] &&
    sums_ok "$W/out/$id/11_原本/封筒2" &&
    ok "watcher killed at $point while attaching: one case, two envelopes after restart" ||
    fail "killed at $point: exit $rc, $cases case(s), $envelopes envelope(s), $done_rows done row(s)"
done

grep -P '[^\x00-\x7F]' "$T/err" >/dev/null && fail "non-ASCII (patient data?) in the logs" ||
  ok "logs hold no patient data"
[ "$failures" -eq 0 ]
