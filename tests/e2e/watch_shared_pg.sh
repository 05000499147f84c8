#!/usr/bin/env bash
# End-to-end (issue 18): three `intake watch --journal postgresql://...` on one inbox and one
# output folder, with a real PostgreSQL 15 started here (tests/e2e/pg_lib.sh; skipped, exit 77,
# where it is not installed). N submissions (default 200: born-digital letters and folders, one
# pair of identical bytes) are dropped at once; watcher 1 is killed with -9 three times while it
# works and restarted each time. Then: every submission is exactly one case, one duplicate or one
# quarantine with its original kept (watch_lib.sh: check_office), the inbox is empty, the audit
# trail verifies, every watcher made cases, the rows the killed watcher held were taken over by
# the others after its lease ran out, and `intake status --workers` shows the three killed
# watchers as DEAD. Then a quarantine by one watcher, `intake retry`, and the case made by another.
# Usage: watch_shared_pg.sh INTAKE PDF [N]
set -u
N="${3:-200}"
source "$(dirname "$0")/watch_lib.sh"
source "$(dirname "$0")/pg_lib.sh"
watch_test_setup "$1" "$2"
pg_start
trap 'kill -9 $(jobs -p) 2>/dev/null; wait 2>/dev/null; pg_stop;
      if [ "$failures" -eq 0 ]; then rm -rf "$T"; else echo "kept $T"; fi' EXIT
export INTAKE_JOURNAL="$PG_URL"  # read by watch, status and retry (--journal)
echo "PostgreSQL on port $PG_PORT; $N submissions, 3 watchers"

names=()
for ((i = 1; i <= N - 2; i++)); do
  if ((i % 5 == 0)); then new_folder "env-$i"; names+=("env-$i")
  else new_file "sub-$i.pdf"; names+=("sub-$i.pdf"); fi
done
new_file dup-a.pdf
cp "$T/ref/dup-a.pdf" "$T/ref/dup-b.pdf"
names+=(dup-a.pdf dup-b.pdf)

declare -A pid
# start NAME: a watcher with a short lease (a killed one's rows wait 2 s, not 30).
start() {
  start_watch "$OUT" "$T/$1" --settle 0.5 --rescan 1 --lease 2 --max-attempts 1000 --workers 1
  pid[$1]=$WATCH_PID
}
start w1; start w2; start w3
wait_for 60 grep -q event=watch_started "$T/w1.err" "$T/w2.err" "$T/w3.err" ||
  fail "the watchers did not start"

# Dropped at once: copied beside the inbox, then renamed in one after the other.
mkdir -p "$T/drop"
for name in "${names[@]}"; do cp -r "$T/ref/$name" "$T/drop/$name"; done
for name in "${names[@]}"; do mv "$T/drop/$name" "$T/inbox/$name"; done
echo "dropped ${#names[@]} at ${SECONDS}s"

# Three kills of watcher 1, each once it has published a few more cases, at a random moment
# 0-50 ms after it leased its next row (a case of this letter takes 100-300 ms here, so the kill
# lands while it holds the row: claimed, processing, publishing or archiving).
for round in 1 2 3; do
  before=$(grep -c 'event=published' "$T/w1.err")
  more() { [ "$(grep -c 'event=published' "$T/w1.err")" -ge $((before + 3)) ]; }
  wait_for 120 more || fail "round $round: watcher 1 publishes nothing"
  leases=$(grep -c 'event=leased' "$T/w1.err")
  leased() { [ "$(grep -c 'event=leased' "$T/w1.err")" -gt "$leases" ]; }
  wait_for 60 leased || fail "round $round: watcher 1 leases nothing"
  sleep "0.0$((RANDOM % 5))"
  kill -9 "${pid[w1]}"; wait "${pid[w1]}" 2>/dev/null
  echo "killed watcher 1 (round $round) at ${SECONDS}s"
  start w1
done

finished() {
  [ -z "$(ls -A "$T/inbox")" ] || return 1
  local rows
  rows=$(journal_rows "$OUT" 2>/dev/null) || return 1
  echo "$rows" | awk '$2 != "done" && $2 != "duplicate" && $2 != "quarantined" && $2 != "released" { bad = 1 }
                      END { exit bad }' || return 1
  [ "$(echo "$rows" | awk '$2 != "released"' | wc -l)" -ge "${#names[@]}" ]
}
wait_for 600 finished || fail "not everything was finished after 600 s"
echo "all finished at ${SECONDS}s"
workers_out=$("$INTAKE" status --out "$OUT" --workers --log-level off)
echo "$workers_out" | sed 's/^/      /'
for w in w1 w2 w3; do kill -TERM "${pid[$w]}"; done
for w in w1 w2 w3; do wait "${pid[$w]}" 2>/dev/null; done

# Quarantine and retry across watchers: a watcher whose every case fails (INTAKE_FAIL_AT=process)
# quarantines two new drops; `intake retry --all` requeues them in the journal; another watcher
# process moves the originals back and makes their cases.
new_file q-1.pdf; new_file q-2.pdf
drop q-1.pdf; drop q-2.pdf
names+=(q-1.pdf q-2.pdf)
INTAKE_FAIL_AT=process "$INTAKE" watch "$T/inbox" --out "$OUT" --no-progress --settle 0.3 \
  --rescan 1 --workers 1 --once >>"$T/q.out" 2>>"$T/q.err"
[ "$(grep -c '^quarantined .* PROCESSING_FAILED' "$T/q.out")" -eq 2 ] ||
  fail "the failing watcher should have quarantined both drops"
"$INTAKE" retry --all --out "$OUT" --log-level off >"$T/retry.out" || fail "intake retry failed"
[ "$(grep -c '^requeued' "$T/retry.out")" -eq 2 ] || fail "retry should requeue 2"
"$INTAKE" watch "$T/inbox" --out "$OUT" --no-progress --settle 0.3 --rescan 1 --workers 1 \
  --once >>"$T/r.out" 2>>"$T/r.err"
[ "$(grep -c '^case ' "$T/r.out")" -eq 2 ] || fail "the retried submissions did not become cases"
[ -z "$(ls -A "$OUT/quarantine")" ] && ok "quarantined by one watcher, retried, made by another" ||
  fail "quarantine not empty after the retry"

check_office "$OUT" "${names[@]}" &&
  ok "${#names[@]} submissions, each exactly once, with 3 watchers and 3 kills (and a retry)"
rows=$(journal_rows "$OUT")
echo "$rows" | awk '{ print $2 }' | sort | uniq -c | sed 's/^/      /'
[ "$(echo "$rows" | awk '$2 == "duplicate"' | wc -l)" -eq 1 ] || fail "expected exactly one duplicate (dup-a/dup-b)"
[ "$(echo "$rows" | awk '$2 == "quarantined"' | wc -l)" -eq 0 ] || fail "a submission was quarantined"
[ -z "$(ls -A "$T/inbox")" ] && ok "inbox empty" || fail "inbox not empty"
if "$INTAKE" audit --out "$OUT" --verify --log-level off >"$T/audit.txt" 2>&1; then
  ok "audit trail verifies: $(head -1 "$T/audit.txt")"
else
  fail "audit trail does not verify:"; cat "$T/audit.txt"
fi
for w in w1 w2 w3; do
  cases=$(grep -c '^case ' "$T/$w.out")
  echo "      $w: $cases cases"
  [ "$cases" -gt 0 ] || fail "$w made no case"
done
# Rows another watcher leased in a state past `claimed`: a killed watcher's work taken over.
takeovers=$(grep -h 'event=leased' "$T"/w*.err | grep -c -E 'state=(processing|archiving|quarantining|claiming)')
echo "      rows taken over from a killed watcher: $takeovers"
# A kill between two cases leaves nothing to take over; three kills all between cases would
# mean the test no longer tests takeovers.
[ "$takeovers" -ge 1 ] || fail "no row was taken over from the killed watcher"
[ "$(echo "$workers_out" | grep -c ' DEAD ')" -eq 3 ] ||
  fail "status --workers should show the 3 killed watchers as DEAD"
check_logs "$T"/w*.err "$T/q.err" "$T/r.err"
[ "$failures" -eq 0 ]
