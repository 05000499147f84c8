#!/usr/bin/env bash
# End-to-end: the watcher killed (SIGKILL) at each named step of a submission's way
# (pipeline/fault_points.h), then restarted: the restart must finish the submission exactly once.
# Also: a submission whose processing is interrupted --max-attempts times is quarantined
# (CRASHED_REPEATEDLY) instead of killing every restart, and `intake retry` recovers it.
# Usage: watch_crash_points.sh INTAKE PDF
set -u
source "$(dirname "$0")/watch_lib.sh"
watch_test_setup "$1" "$2"
names=()
run_once() {  # run_once [ENV=VALUE...]: one `intake watch --once`; prints its exit code
  env "$@" "$INTAKE" watch "$T/inbox" --out "$OUT" --settle 0.3 --once --workers 1 --no-progress \
    >>"$T/run.out" 2>>"$T/run.err"
  echo $?
}
state_of() { journal_rows "$OUT" | awk -v n="$1" '$3 == n && $2 != "released" { print $2 }'; }

# A case, killed at every step of its way.
for point in claim:journaled claim:renamed process:hashed process:started process:written \
             process:published archive:journaled archive:recorded archive:moved; do
  name="at-${point/:/-}.pdf"
  new_file "$name"; drop "$name"; names+=("$name")
  rc=$(run_once INTAKE_CRASH_AT="$point")
  [ "$rc" -eq 137 ] || { fail "$point: expected death by SIGKILL (137), got $rc"; continue; }
  rc=$(run_once)
  state=$(state_of "$name")
  [ "$rc" -eq 0 ] && [ "$state" = done ] && ok "killed at $point: finished as a case on restart" ||
    fail "killed at $point: restart exit $rc, state '$state'"
done

# A duplicate, killed before and after its original is archived.
for point in archive:recorded archive:moved; do
  name="dup-${point/:/-}.pdf"
  cp "$T/ref/at-claim-journaled.pdf" "$T/ref/$name"; drop "$name"; names+=("$name")
  rc=$(run_once INTAKE_CRASH_AT="$point")
  [ "$rc" -eq 137 ] || { fail "duplicate $point: expected 137, got $rc"; continue; }
  rc=$(run_once)
  [ "$(state_of "$name")" = duplicate ] && ok "duplicate killed at $point: recorded once on restart" ||
    fail "duplicate killed at $point: state '$(state_of "$name")'"
done

# A failure on its way to the quarantine, killed at each step of that way.
for point in quarantine:journaled quarantine:moved; do
  name="q-${point/:/-}.pdf"
  new_file "$name"; drop "$name"; names+=("$name")
  rc=$(run_once INTAKE_FAIL_AT=process INTAKE_CRASH_AT="$point")
  [ "$rc" -eq 137 ] || { fail "$point: expected 137, got $rc"; continue; }
  rc=$(run_once)
  [ "$(state_of "$name")" = quarantined ] && ok "killed at $point: quarantined on restart" ||
    fail "killed at $point: state '$(state_of "$name")'"
done

# The audit record cannot be written: quarantined (AUDIT_FAILED), never archived unrecorded.
new_file audit.pdf; drop audit.pdf; names+=(audit.pdf)
run_once INTAKE_FAIL_AT=record >/dev/null
journal_rows "$OUT" | awk '$3 == "audit.pdf" && $2 == "quarantined" && $6 == "AUDIT_FAILED"' | grep -q . &&
  ok "audit record failure: quarantined AUDIT_FAILED" || fail "audit failure not quarantined"

# A submission that kills every attempt: after --max-attempts (3) it is quarantined.
new_file poison.pdf; drop poison.pdf; names+=(poison.pdf)
for attempt in 1 2 3; do
  rc=$(run_once INTAKE_CRASH_AT=process:started)
  [ "$rc" -eq 137 ] || fail "poison attempt $attempt: expected 137, got $rc"
done
run_once >/dev/null
journal_rows "$OUT" | awk '$3 == "poison.pdf" && $2 == "quarantined" && $6 == "CRASHED_REPEATEDLY"' | grep -q . &&
  ok "interrupted 3 times: quarantined CRASHED_REPEATEDLY" || fail "poison.pdf not quarantined"

check_office "$OUT" "${names[@]}" && ok "after every crash point: each submission exactly once"

# Everything quarantined comes back with `intake retry --all` and becomes a case.
"$INTAKE" retry --all --out "$OUT" >"$T/retry.out" 2>>"$T/run.err" || fail "intake retry --all failed"
[ "$(grep -c requeued "$T/retry.out")" -eq 4 ] || fail "expected 4 requeued, got: $(cat "$T/retry.out")"
run_once >/dev/null
check_office "$OUT" "${names[@]}" &&
  [ "$(journal_rows "$OUT" | awk '$2 == "quarantined"' | wc -l)" -eq 0 ] &&
  ok "retried: every quarantined submission became a case" || fail "retry left quarantined rows"
check_logs "$T/run.err"
[ "$failures" -eq 0 ]
