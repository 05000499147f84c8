#!/usr/bin/env bash
# End-to-end: `intake watch` on a real inbox. Files written slowly (with a pause longer than the
# settle time), renamed in from *.part, folders dropped slowly, NAME.ready markers, ignored
# temporary names, a duplicate, a failure to the quarantine and `intake retry`, the output
# folder's lock, and a clean stop on SIGTERM. Usage: watch_inbox.sh INTAKE PDF
set -u
source "$(dirname "$0")/watch_lib.sh"
watch_test_setup "$1" "$2"
names=()
case_of() { journal_rows "$OUT" | awk -v n="$1" '$3 == n && $2 == "done" { print $4 }'; }
has_row() { journal_rows "$OUT" | awk -v n="$1" -v s="$2" '$3 == n && $2 == s' | grep -q .; }

start_watch "$OUT" "$T/w1" --settle 1 --rescan 1

# 1. A file written in place, slowly, with one pause longer than the settle time: the PDF has
#    no %%EOF yet, so the format probe holds it; it must be claimed once, whole.
new_file slow.pdf; names+=(slow.pdf)
size=$(stat -c %s "$T/ref/slow.pdf")
chunk=$((size / 8 + 1))
for i in 0 1 2 3 4 5 6 7; do
  tail -c +$((i * chunk + 1)) "$T/ref/slow.pdf" | head -c "$chunk" >>"$T/inbox/slow.pdf"
  if [ "$i" -eq 3 ]; then sleep 2.5; else sleep 0.4; fi
  if [ "$i" -lt 7 ] && [ -f "$OUT/.intake/journal.sqlite" ] && journal_rows "$OUT" | grep -q ' slow.pdf '; then
    fail "slow.pdf claimed before it was complete (after chunk $i)"
  fi
done

# 2. Renamed in: written as *.part (ignored), then renamed to its real name.
new_file renamed.pdf; names+=(renamed.pdf)
for part in 1 2 3; do
  tail -c +$(((part - 1) * 3000 + 1)) "$T/ref/renamed.pdf" | head -c $((part == 3 ? 100000000 : 3000)) >>"$T/inbox/renamed.pdf.part"
  sleep 0.5
done
mv "$T/inbox/renamed.pdf.part" "$T/inbox/renamed.pdf"

# 3. A folder dropped slowly: a file inside still has an in-progress name for longer than the
#    settle time, which holds the whole folder.
new_folder env-slow; names+=(env-slow)
mkdir "$T/inbox/env-slow"
cp "$T/ref/env-slow/note.txt" "$T/inbox/env-slow/"
sleep 0.5
cp "$T/ref/env-slow/letter.pdf" "$T/inbox/env-slow/letter.pdf.part"
sleep 3.5
[ -e "$T/inbox/env-slow" ] || fail "env-slow claimed while a file inside was still *.part"
mv "$T/inbox/env-slow/letter.pdf.part" "$T/inbox/env-slow/letter.pdf"

# 4. Temporary and junk names are never taken.
printf 'junk' >"$T/inbox/.DS_Store"
printf 'lock' >"$T/inbox/~\$memo.docx"
printf 'half' >"$T/inbox/never.pdf.part"
printf 'thumbs' >"$T/inbox/Thumbs.db"

wait_for 60 has_row slow.pdf done || fail "slow.pdf did not become a case"
wait_for 60 has_row renamed.pdf done || fail "renamed.pdf did not become a case"
wait_for 60 has_row env-slow done || fail "env-slow did not become a case"
ok "slow write, rename-in and slow folder drop became cases"
grep -q 'claim' "$T/w1.err" || fail "no claim in the log"

# 5. The same bytes again under another name: DUPLICATE_SUBMISSION naming the earlier case.
new_file dup-1.pdf; names+=(dup-1.pdf)
cp "$T/ref/dup-1.pdf" "$T/ref/dup-2.pdf"; names+=(dup-2.pdf)
drop dup-1.pdf
wait_for 60 has_row dup-1.pdf done || fail "dup-1.pdf did not become a case"
drop dup-2.pdf
wait_for 60 has_row dup-2.pdf duplicate || fail "dup-2.pdf was not recorded as a duplicate"
first_case=$(case_of dup-1.pdf)
dup_of=$(journal_rows "$OUT" | awk '$3 == "dup-2.pdf" { print $5 }')
[ -n "$first_case" ] && [ "$dup_of" = "$first_case" ] || fail "duplicate names '$dup_of', expected '$first_case'"
grep -q "DUPLICATE_SUBMISSION of case $first_case" "$T/w1.out" || fail "no DUPLICATE_SUBMISSION line on stdout"
ok "duplicate recognised as DUPLICATE_SUBMISSION of $first_case"

# 6. The output folder has one watcher: a second one is refused with exit 6.
"$INTAKE" watch "$T/inbox" --out "$OUT" --once --no-progress >/dev/null 2>"$T/busy.err"
rc=$?
[ "$rc" -eq 6 ] && ok "second watcher on the same output folder refused (exit 6)" ||
  fail "second watcher: expected exit 6, got $rc"

# 7. SIGTERM finishes cleanly with exit 0.
stop_watch
rc=$?
[ "$rc" -eq 0 ] && ok "SIGTERM: clean exit" || fail "SIGTERM: exit $rc"

# 8. A case that cannot be made goes to the quarantine with a reason, and `intake retry` brings it
#    back. INTAKE_FAIL_AT=process makes the case processor's result a failure (pipeline/fault_points.h).
new_file failing.pdf; names+=(failing.pdf)
drop failing.pdf
INTAKE_FAIL_AT=process "$INTAKE" watch "$T/inbox" --out "$OUT" --settle 0.5 --once --no-progress \
  >"$T/w2.out" 2>"$T/w2.err"
if has_row failing.pdf quarantined; then
  id=$(journal_rows "$OUT" | awk '$3 == "failing.pdf" { print $1 }')
  grep -q 'PROCESSING_FAILED' "$OUT/quarantine/$id/reason.txt" &&
    grep -q '処理中にエラーが発生しました' "$OUT/quarantine/$id/reason.txt" &&
    grep -q "intake retry $id" "$OUT/quarantine/$id/reason.txt" ||
    fail "reason.txt lacks the code, the Japanese reason or the retry command"
  cmp -s "$T/ref/failing.pdf" "$OUT/quarantine/$id/original/failing.pdf" || fail "quarantined original differs"
  grep -q "quarantined $id PROCESSING_FAILED" "$T/w2.out" || fail "no quarantine line on stdout"
  "$INTAKE" retry 999 --out "$OUT" >/dev/null 2>&1 && fail "retry of an unknown id succeeded"
  "$INTAKE" retry --all --out "$OUT" >"$T/retry.out" 2>"$T/retry.err" || fail "intake retry failed"
  grep -q "requeued $id" "$T/retry.out" || fail "retry did not requeue $id"
  [ -e "$OUT/quarantine/$id" ] && fail "quarantine folder left after the retry"
  "$INTAKE" watch "$T/inbox" --out "$OUT" --settle 0.5 --once --no-progress >"$T/w3.out" 2>"$T/w3.err"
  has_row failing.pdf done && ok "failure quarantined with reason.txt, retried into a case" ||
    fail "retried submission did not become a case"
else
  fail "failing.pdf was not quarantined"
fi

# 9. A NAME.ready marker makes a drop ready at once, even with a long settle time; a drop without
#    one waits. Folders too.
start_watch "$OUT" "$T/w4" --settle 60 --rescan 2
new_file marked.pdf; names+=(marked.pdf)
new_file waiting.pdf; names+=(waiting.pdf)
new_folder env-marked; names+=(env-marked)
drop waiting.pdf
drop marked.pdf
drop env-marked
touch "$T/inbox/marked.pdf.ready" "$T/inbox/env-marked.ready"
wait_for 40 has_row marked.pdf done || fail "marked.pdf not taken at once by its marker"
wait_for 40 has_row env-marked done || fail "env-marked not taken at once by its marker"
[ -e "$T/inbox/marked.pdf.ready" ] && fail "marker left behind"
[ -e "$T/inbox/waiting.pdf" ] && ok "markers: taken at once; without a marker still settling" ||
  fail "waiting.pdf taken before its settle time"
stop_watch
"$INTAKE" watch "$T/inbox" --out "$OUT" --settle 0.5 --once --no-progress >"$T/w5.out" 2>"$T/w5.err"

# 10. An inbox on another file system (a network share, here /dev/shm): claims stay beside the
#     inbox (INBOX/.intake-claimed, where a rename is atomic) and archiving copies across, also
#     when killed half-way.
SHM_INBOX=/dev/shm/intake-watch-test-$$
mkdir -p "$SHM_INBOX"
if [ "$(stat -c %d "$SHM_INBOX")" != "$(stat -c %d "$T")" ]; then
  OUT2="$T/out-cross"
  new_file cross.pdf; cp "$T/ref/cross.pdf" "$SHM_INBOX/"
  new_folder env-cross; cp -r "$T/ref/env-cross" "$SHM_INBOX/"
  rc=$(INTAKE_CRASH_AT=archive:recorded "$INTAKE" watch "$SHM_INBOX" --out "$OUT2" --settle 0.3 \
    --once --no-progress >"$T/w6.out" 2>"$T/w6.err"; echo $?)
  [ "$rc" -eq 137 ] || fail "cross-device: expected a kill at archive:recorded, exit $rc"
  [ -n "$(ls -A "$SHM_INBOX/.intake-claimed" 2>/dev/null)" ] || fail "cross-device: nothing claimed beside the inbox"
  "$INTAKE" watch "$SHM_INBOX" --out "$OUT2" --settle 0.3 --once --no-progress >"$T/w7.out" 2>"$T/w7.err"
  rows=$(journal_rows "$OUT2")
  for n in cross.pdf env-cross; do
    read -r id state _ case_id _ _ <<<"$(echo "$rows" | awk -v n="$n" '$3 == n')"
    [ "$state" = done ] && [ -f "$OUT2/$case_id/report.json" ] &&
      diff -r "$T/ref/$n" "$OUT2/archive/$id/$n" >/dev/null ||
      fail "cross-device: $n not a case with its original archived (state '$state')"
  done
  [ -z "$(find "$SHM_INBOX/.intake-claimed" -mindepth 1)" ] || fail "cross-device: claim folder not emptied"
  [ -z "$(find "$OUT2/archive" -name '*.copying')" ] || fail "cross-device: partial copy left"
  [ "$failures" -eq 0 ] && ok "inbox on another file system: claimed beside it, archived across, resumed"
else
  echo "skip  /dev/shm is not another file system"
fi
rm -rf "$SHM_INBOX"

# 8. The physician's case folder keeps the original as received: for a file, a hard link to the
#    archived original (no second copy); for a folder, the same tree; sha256sum -c passes.
for n in slow.pdf env-slow; do
  read -r id state _ case_id _ _ <<<"$(journal_rows "$OUT" | awk -v n="$n" '$3 == n')"
  kept=$(ls -d "$OUT/$case_id"/*_原本 2>/dev/null)
  [ -n "$kept" ] && [ -e "$kept/$n" ] || { fail "$n: no kept original in case $case_id"; continue; }
  diff -r "$T/ref/$n" "$kept/$n" >/dev/null || fail "$n: the kept original differs from what was dropped"
  (cd "$kept" && sha256sum --quiet -c SHA256SUMS) || fail "$n: sha256sum -c failed in $kept"
  if [ -f "$kept/$n" ] && [ "$(stat -c %i "$kept/$n")" != "$(stat -c %i "$OUT/archive/$id/$n")" ]; then
    fail "$n: the kept original is not a hard link to the archived one"
  fi
done
[ "$failures" -eq 0 ] && ok "case folders keep the originals (linked to the archive), sha256sum -c passes"

for junk in .DS_Store '~$memo.docx' never.pdf.part Thumbs.db; do
  [ -e "$T/inbox/$junk" ] || fail "ignored name $junk was touched"
done
check_office "$OUT" "${names[@]}" && ok "every submission exactly once: case folders, archive, journal agree"
check_logs "$T"/w*.err
[ "$failures" -eq 0 ] && echo "all watcher scenarios passed"
[ "$failures" -eq 0 ]
