# Shared helpers for the `intake watch` end-to-end tests (sourced, not run).
# Needs: INTAKE (the binary), PDF (a small born-digital PDF to build submissions from), T (a
# scratch folder): watch_test_setup sets them, or the sourcing script does. Every submission gets unique bytes, so each must become its own case.

# watch_test_setup INTAKE PDF: the common start of a watch test script. Checks the sample PDF,
# makes the scratch folder T with inbox/ and ref/ (removed at exit, or kept and named when a
# check failed; background watchers are killed) and sets OUT.
watch_test_setup() {
  INTAKE="$1"
  PDF="$2"
  [ -f "$PDF" ] || { echo "no sample PDF at $PDF (build the intake-samples target)"; exit 1; }
  T=$(mktemp -d)
  trap 'kill -9 $(jobs -p) 2>/dev/null; if [ "$failures" -eq 0 ]; then rm -rf "$T"; else echo "kept $T"; fi' EXIT
  mkdir -p "$T/inbox" "$T/ref"
  OUT="$T/out"
}

fail() { echo "FAIL  $*"; failures=$((failures + 1)); }
ok() { echo "ok    $*"; }
failures=0

# new_file NAME [EXTRA]: a PDF submission with unique bytes (a comment after %%EOF).
new_file() {
  { cat "$PDF"; printf '%% %s %s\n' "$1" "${2:-$RANDOM$RANDOM}"; } >"$T/ref/$1"
}
# new_folder NAME: a folder submission (the PDF plus a note with unique text).
new_folder() {
  mkdir -p "$T/ref/$1"
  cp "$PDF" "$T/ref/$1/letter.pdf"
  printf 'note %s %s\n' "$1" "$RANDOM$RANDOM" >"$T/ref/$1/note.txt"
}
# drop NAME: copies the reference submission into the inbox under a temporary name, then renames
# it in (as careful copy tools do), so the inbox never shows half a file under its real name.
drop() {
  cp -r "$T/ref/$1" "$T/inbox/.$1.tmp-copy" && mv "$T/inbox/.$1.tmp-copy" "$T/inbox/$1"
}

# start_watch OUT LOG [ARGS...]: starts `intake watch` in the background; sets WATCH_PID.
start_watch() {
  local out="$1" log="$2"
  shift 2
  "$INTAKE" watch "$T/inbox" --out "$out" --no-progress "$@" >>"$log.out" 2>>"$log.err" &
  WATCH_PID=$!
}
stop_watch() {
  kill -TERM "$WATCH_PID" 2>/dev/null
  wait "$WATCH_PID" 2>/dev/null
}
# wait_for SECONDS COMMAND...: polls until COMMAND succeeds; false on timeout.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ "$SECONDS" -ge "$deadline" ] && return 1
    sleep 0.05
  done
}

# status_field OUT NAME FIELD: FIELD (state, case, id, ...) of the final journal row of NAME.
journal_rows() {  # OUT: "id state name case dup reason" per submission row
  "$INTAKE" status --out "$1" --names --log-level off |
    awk '{ id=$1; st=$2; c="-"; d="-"; r="-"; n="-";
           for (i = 4; i <= NF; i++) {
             if ($i ~ /^case=/) c = substr($i, 6);
             else if ($i ~ /^of=/) d = substr($i, 4);
             else if ($i ~ /^reason=/) r = substr($i, 8);
             else if ($i ~ /^name=/) n = substr($i, 6);
           }
           print id, st, n, c, d, r }'
}

# check_office OUT NAME...: the invariants after the watcher has finished everything.
# Every submission NAME has exactly one final journal row (done, duplicate or quarantined; rows
# released before a claim do not count); its original is in archive/ or quarantine/ with the
# same bytes as the reference copy; a done row's case folder exists and its report names the
# submission's SHA-256; no case folder exists without a done row; nothing is left in the work
# area, staging or trash, nor in the inbox but ignored names.
check_office() {
  local out="$1"
  shift
  local rows="$T/rows.txt" bad=0
  journal_rows "$out" >"$rows"
  if awk '$2 != "done" && $2 != "duplicate" && $2 != "quarantined" && $2 != "released"' "$rows" | grep -q .; then
    fail "journal has unfinished rows:"; awk '$2 != "done" && $2 != "duplicate" && $2 != "quarantined" && $2 != "released"' "$rows"
    bad=1
  fi
  local -A final_row=() final_count=()
  local id state rname case_id dup reason
  while read -r id state rname case_id dup reason; do
    [ "$state" = released ] && continue
    final_row[$rname]="$id $state $case_id"
    final_count[$rname]=$((${final_count[$rname]:-0} + 1))
  done <"$rows"
  local name
  for name in "$@"; do
    if [ "${final_count[$name]:-0}" -ne 1 ]; then
      fail "$name: expected exactly one final row, got ${final_count[$name]:-0}"
      bad=1; continue
    fi
    read -r id state case_id <<<"${final_row[$name]}"
    local kept
    case "$state" in
      done|duplicate) kept="$out/archive/$id/$name" ;;
      quarantined) kept="$out/quarantine/$id/original/$name"
        [ -s "$out/quarantine/$id/reason.txt" ] || { fail "$name: no reason.txt"; bad=1; } ;;
    esac
    if ! diff -r "$T/ref/$name" "$kept" >/dev/null 2>&1; then
      fail "$name ($state, id $id): original not kept intact at ${kept#$T/}"; bad=1
    fi
    if [ "$state" = done ]; then
      if [ ! -f "$out/$case_id/report.json" ] || [ ! -f "$out/$case_id/report.html" ]; then
        fail "$name: case folder $case_id incomplete"; bad=1
      elif [ -f "$T/ref/$name" ] &&
           ! grep -q "\"sha256\": \"$(sha256sum <"$T/ref/$name" | cut -c1-64)\"" "$out/$case_id/report.json"; then
        fail "$name: report of $case_id is not about these bytes"; bad=1
      fi
    fi
    if [ -e "$T/inbox/$name" ]; then fail "$name: still in the inbox"; bad=1; fi
  done
  # Case folders: exactly the done rows' cases, each once.
  local on_disk in_journal
  on_disk=$(cd "$out" && ls -d 2[0-9]*-* 2>/dev/null | sort)
  in_journal=$(awk '$2 == "done" { print $4 }' "$rows" | sort -u)
  if [ "$on_disk" != "$in_journal" ]; then
    fail "case folders on disk differ from the journal's cases"
    diff <(echo "$on_disk") <(echo "$in_journal") | sed 's/^/      /'; bad=1
  fi
  if [ "$(awk '$2 == "done"' "$rows" | wc -l)" -ne "$(echo "$in_journal" | grep -c .)" ]; then
    fail "two done rows share a case id"; bad=1
  fi
  local leftovers
  leftovers=$(find "$out/.intake/work" "$out/.intake/staging" "$out/.intake/trash" -mindepth 1 2>/dev/null)
  if [ -n "$leftovers" ]; then fail "leftovers in .intake: $leftovers"; bad=1; fi
  return $bad
}

# check_logs FILE...: stderr must be ASCII only (no names, no page text) and hold no name of a
# submission.
check_logs() {
  local f
  for f in "$@"; do
    if LC_ALL=C grep -n '[^[:print:][:space:]]' "$f" >/dev/null; then
      fail "non-ASCII bytes in $f:"; LC_ALL=C grep -n '[^[:print:][:space:]]' "$f" | head -3
    fi
    if grep -E -q 'sub-[0-9]+|env-[0-9]+|slow\.pdf|letter\.pdf|note\.txt' "$f"; then
      fail "a submission's name in the log $f:"; grep -E 'sub-[0-9]+|env-[0-9]+|slow\.pdf|letter\.pdf' "$f" | head -3
    fi
  done
}
