#!/usr/bin/env bash
# End-to-end: a submission on which a reader hangs (INTAKE_HANG_AT, pipeline/fault_points.h)
# under `intake watch --case-time-limit`. The watcher must not hang and must not lose it: the
# submission goes to the quarantine as TIME_LIMIT (stage and file id in reason.txt), the watcher
# restarts itself and makes the next submission a case, and `intake retry` makes the quarantined
# one a case once the hang is gone. A stop requested during the hang ends the watcher after the
# limit instead, and the next start quarantines the submission.
# Usage: watch_time_limit.sh INTAKE PDF
# INTAKE_TEST_CASE_LIMIT: the case time limit in seconds (default 2; scripts/tsan.sh gives a
# ThreadSanitizer Debug build, where a plain case takes longer, 15).
set -u
limit=${INTAKE_TEST_CASE_LIMIT:-2}
source "$(dirname "$0")/watch_lib.sh"
watch_test_setup "$1" "$2"
row_of() { journal_rows "$OUT" | awk -v n="$1" '$3 == n && $2 != "released"'; }

# 1. Two submissions; the first one's pages stage hangs. One `watch --once` must handle both.
new_file sub-1.pdf; new_file sub-2.pdf
drop sub-1.pdf; sleep 0.2; drop sub-2.pdf
start=$SECONDS
INTAKE_HANG_AT='pages#1' timeout 120 "$INTAKE" watch "$T/inbox" --out "$OUT" --settle 0.3 --once \
  --workers 1 --no-progress --case-time-limit "$limit" >"$T/w1.out" 2>"$T/w1.err"
rc=$?
took=$((SECONDS - start))
[ "$rc" -eq 0 ] && ok "watch --once with a hanging submission: exit 0 after ${took} s" ||
  fail "watch --once: exit $rc after ${took} s (124: it hung)"
[ "$took" -lt $((limit * 30)) ] || fail "took ${took} s for a $limit s limit"
read -r id1 state1 _ _ _ reason1 <<<"$(row_of sub-1.pdf)"
read -r id2 state2 _ _ _ _ <<<"$(row_of sub-2.pdf)"
[ "$state1" = quarantined ] && [ "$reason1" = TIME_LIMIT ] &&
  ok "the hanging submission is quarantined as TIME_LIMIT" ||
  fail "sub-1.pdf: state '$state1' reason '$reason1'"
[ "$state2" = done ] && ok "the next submission became a case" || fail "sub-2.pdf: state '$state2'"
reason="$OUT/quarantine/$id1/reason.txt"
if [ -f "$reason" ]; then
  grep -q 'コード: TIME_LIMIT' "$reason" && grep -q '制限時間' "$reason" &&
    grep -q 'stage pages, file f0001' "$reason" && grep -q "intake retry $id1" "$reason" &&
    ok "reason.txt: code, Japanese reason, stage and file id, retry command" ||
    { fail "reason.txt incomplete:"; sed 's/^/      /' "$reason"; }
else
  fail "no reason.txt for $id1"
fi
grep -q "quarantined $id1 TIME_LIMIT" "$T/w1.out" || fail "no quarantine line on stdout"
grep -q "event=time_limit id=$id1 .*stage=pages file=f0001" "$T/w1.err" &&
  grep -q 'event=restarting reason=TIME_LIMIT' "$T/w1.err" &&
  ok "logged: the time limit with stage and file id, then the restart" ||
  fail "no time_limit / restarting events in the log"
"$INTAKE" status "$id1" --out "$OUT" --log-level off | grep -q 'processing -> quarantining (TIME_LIMIT)' ||
  fail "the journal's history lacks the TIME_LIMIT transition"
grep -q '"event":"case_failed"' "$OUT/audit.log" && grep -q '"event":"quarantined"' "$OUT/audit.log" ||
  fail "audit trail lacks case_failed or quarantined"
check_office "$OUT" sub-1.pdf sub-2.pdf && ok "each submission exactly once, originals intact"

# 2. `intake retry` puts it back; without the hang it becomes a case.
"$INTAKE" retry "$id1" --out "$OUT" >"$T/retry.out" 2>>"$T/w2.err" || fail "intake retry failed"
timeout 120 "$INTAKE" watch "$T/inbox" --out "$OUT" --settle 0.3 --once --workers 1 --no-progress \
  --case-time-limit "$limit" >"$T/w2.out" 2>>"$T/w2.err"
[ "$(row_of sub-1.pdf | awk '{ print $2 }')" = done ] &&
  ok "retried without the hang: a case" || fail "retried sub-1.pdf is $(row_of sub-1.pdf)"
check_office "$OUT" sub-1.pdf sub-2.pdf && ok "after the retry: both cases, nothing left over"

# 3. SIGTERM while a case hangs: the watcher exits 0 once the limit has passed (no restart), and
#    the next start quarantines the submission.
new_file sub-3.pdf; drop sub-3.pdf
INTAKE_HANG_AT=pages start_watch "$OUT" "$T/w3" --settle 0.3 --workers 1 --case-time-limit $((limit + 1))
wait_for 60 grep -q 'hang point reached' "$T/w3.err" || fail "the hang point was never reached"
kill -TERM "$WATCH_PID"
start=$SECONDS
wait "$WATCH_PID"
rc=$?
[ "$rc" -eq 0 ] && ok "SIGTERM during a hang: exit 0 after $((SECONDS - start)) s" ||
  fail "SIGTERM during a hang: exit $rc"
grep -q 'event=restarting' "$T/w3.err" && fail "restarted although a stop was requested"
timeout 120 "$INTAKE" watch "$T/inbox" --out "$OUT" --settle 0.3 --once --workers 1 --no-progress \
  >"$T/w4.out" 2>"$T/w4.err"
[ "$(row_of sub-3.pdf | awk '{ print $2, $6 }')" = "quarantined TIME_LIMIT" ] &&
  ok "the next start quarantined it" || fail "sub-3.pdf is $(row_of sub-3.pdf)"
check_office "$OUT" sub-1.pdf sub-2.pdf sub-3.pdf
check_logs "$T/w1.err" "$T/w2.err" "$T/w3.err" "$T/w4.err"
[ "$failures" -eq 0 ]
