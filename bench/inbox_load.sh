#!/usr/bin/env bash
# Load on the intake office (issue 7): N varied submissions dropped into the watched inbox at
# once, then one `intake watch --once` run. Every submission must end exactly once (a case, a
# duplicate or the quarantine) with its original intact, nothing may be left in the inbox or the
# work area, and the audit trail must verify. Prints the throughput (submissions/min, OCR
# pages/min), the watcher's peak RSS and its RSS at each quarter of the run (memory must not grow
# with the number of cases), and writes the RSS trace as CSV.
#
# usage: bench/inbox_load.sh BUILD_DIR [N] [options]                       (N: default 200)
#   --light          OCR in four submissions only (3 pages each): the CI test `load.inbox`
#   --check          also fail when the peak RSS exceeds --max-rss-mib, when the RSS grows
#                    across the run (the largest sample once 3/4 of the cases are done is more
#                    than --growth-mib above the largest before half of them were), or when the
#                    accounting check cannot see a submission taken away (self-check)
#   --max-rss-mib M  default 600 (0: no bound, e.g. under AddressSanitizer)
#   --growth-mib G   default 32
#   --workers W      OCR workers of the watcher (default: its own, one per core)
#   --run-dir DIR    where to work (default BUILD_DIR/load-run; emptied first if it is one)
#   --keep           keep the submissions and the output folder after a run that passed
#
# The submissions are the project's generated samples (BUILD_DIR/samples, written by
# intake-samplegen at build time), copied and varied so that each has bytes of its own: a comment
# after a PDF's %%EOF, bytes after a TIFF's last strip, a note file in a folder or zip. In every
# 20 (the slot is the submission's number modulo 20):
#   born-digital referral letters (PDF, some with Japanese names) ........ 0 3 8 13
#   folders: letter + note; letter in nested folders ..................... 1 11 19
#   zips: letter + note .................................................. 2 14
#   scanned PDF, 3 or 4 pages of OCR (complete_patient / geriatrics scan) . 4
#   a DICOM disc (12 CT slices, DICOMDIR) + note ......................... 5
#   exact copies of slot 0 and slot 2 (must become duplicates) ........... 6 17
#   folder: complete_patient (letter + 3-page scan) ...................... 7
#   zip: family_missing_consent (letter + 5-page G4 TIFF), even tens ..... 9
#   a G4 TIFF of 5 pages on its own, odd tens ............................ 12
#   corrupt: a PDF of garbage (with %%EOF), a zip with a damaged entry ... 10 15
#   folder: ct_disc (4-page scan + DICOM disc) ........................... 16
#   an empty file (the first 20), else random bytes named .pdf .......... 18
# About 155 OCR pages in 200 submissions. --light replaces every OCR slot with a born-digital
# one and makes a 3-page scan of the first letter from 1/8, 3/8, 5/8 and 7/8 of the list on.
# Corrupt files are of the kind that pass the watcher's completeness probe (a truncated PDF
# would wait for --incomplete-grace, i.e. the next run).
#
# Needs: zip, unzip, sha256sum. The RSS is VmRSS (and the peak VmHWM) of /proc/PID/status,
# sampled every 0.5 s; the trace CSV has seconds,rss_kib,hwm_kib,cases_done (archive/ and
# quarantine/ entries so far).
set -uo pipefail

usage() { sed -n '/^# usage:/,/^#   --keep/p' "$0" >&2; exit 2; }
[ $# -ge 1 ] || usage
BUILD=$(cd "$1" && pwd) || usage
shift
N=200
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then N=$1; shift; fi
LIGHT=false CHECK=false KEEP=false MAX_RSS_MIB=600 GROWTH_MIB=32 RUN="" WORKERS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --light) LIGHT=true ;;
    --check) CHECK=true ;;
    --keep) KEEP=true ;;
    --max-rss-mib) MAX_RSS_MIB=$2; shift ;;
    --growth-mib) GROWTH_MIB=$2; shift ;;
    --run-dir) RUN=$2; shift ;;
    --workers) WORKERS=(--workers "$2"); shift ;;
    *) usage ;;
  esac
  shift
done
[ "$N" -ge 20 ] || { echo "N must be at least 20" >&2; exit 2; }
SRC=$(cd "$(dirname "$0")/.." && pwd)
INTAKE=$BUILD/app/intake
SAMPLES=$BUILD/samples
RUN=${RUN:-$BUILD/load-run}
for f in "$INTAKE" "$SAMPLES/complete_patient/submission/scan.pdf" \
  "$SAMPLES/family_missing_consent/submission/書類一式.zip" "$SAMPLES/ct_disc/submission/disc" \
  "$SAMPLES/geriatrics_missing_medication/submission/スキャン.pdf"; do
  [ -e "$f" ] || { echo "missing $f: build the intake and intake-samples targets" >&2; exit 1; }
done
for tool in zip unzip sha256sum; do
  command -v $tool >/dev/null || { echo "needs $tool (scripts/setup.sh installs it)" >&2; exit 1; }
done

# Only a folder this script made (or an empty one) is emptied.
if [ -n "$(ls -A "$RUN" 2>/dev/null)" ] && [ ! -e "$RUN/.inbox-load-run" ]; then
  echo "$RUN is not empty and not a run folder of this script: give another --run-dir" >&2
  exit 2
fi
rm -rf "$RUN"
mkdir -p "$RUN/ref" "$RUN/inbox" "$RUN/parts"
touch "$RUN/.inbox-load-run"
RUN=$(cd "$RUN" && pwd)
# tests/e2e/watch_lib.sh works on $T/ref (reference copies), $T/inbox and $INTAKE.
T=$RUN
OUT=$RUN/out
TRACE=$RUN/rss.csv
source "$SRC/tests/e2e/watch_lib.sh"

# --- the submissions ---------------------------------------------------------------------------

CP=$SAMPLES/complete_patient/submission
CT=$SAMPLES/ct_disc/submission
GM=$SAMPLES/geriatrics_missing_medication/submission
FM_ZIP=$SAMPLES/family_missing_consent/submission/書類一式.zip
LETTER=$CP/紹介状.pdf
unzip -q "$FM_ZIP" -d "$RUN/parts/fm"
TIFF=$(find "$RUN/parts/fm" -name '*.tif' | head -1)
[ -n "$TIFF" ] || { echo "no TIFF in $FM_ZIP" >&2; exit 1; }

note() { printf 'load test note %s %s\n' "$1" "$RANDOM$RANDOM" >"$2"; }
unique_pdf() { { cat "$1"; printf '%% load %s %s\n' "$2" "$RANDOM$RANDOM"; } >"$3"; }
# zip_of DEST DIR PATH...: a zip of the PATHs inside DIR, in that order (no extra attributes).
zip_of() {
  local dest=$1 dir=$2
  shift 2
  (cd "$dir" && zip -q -X -r "$dest" "$@") || fail "zip $dest"
}
now_us() { echo "${EPOCHREALTIME/[.,]/}"; }

names=()
declare -A kind_of=()
ocr_share=0
make_submission() {  # I: the submission's number
  local i=$1 slot=$(($1 % 20)) tens=$(($1 / 20)) tag dest kind
  tag=$(printf 's%04d' "$i")
  kind=""
  if $LIGHT; then
    case $slot in
      4 | 12) slot=0 ;;
      7) slot=1 ;;
      9) slot=2 ;;
      16) slot=5 ;;
    esac
    # The scans: at the first letter (slot 13) from 1/8, 3/8, 5/8 and 7/8 of the list on.
    local k at
    for k in 1 3 5 7; do
      at=$((N * k / 8))
      at=$((at + (33 - at % 20) % 20))
      [ "$i" -eq "$at" ] && kind=scan_pdf
    done
  else
    [ $slot -eq 9 ] && [ $((tens % 2)) -eq 1 ] && slot=2
    [ $slot -eq 12 ] && [ $((tens % 2)) -eq 0 ] && slot=0
  fi
  if [ -z "$kind" ]; then
    case $slot in
      0 | 8 | 13) kind=letter_pdf ;;
      3) kind=letter_pdf_jp ;;
      1 | 11) kind=letter_folder ;;
      19) kind=nested_folder ;;
      2 | 14) kind=letter_zip ;;
      4) kind=scan_pdf ;;
      5) kind=disc_folder ;;
      6) kind=copy_of_0 ;;
      17) kind=copy_of_2 ;;
      7) kind=complete_folder ;;
      9) kind=family_zip ;;
      12) kind=tiff ;;
      10) kind=corrupt_pdf ;;
      15) kind=corrupt_zip ;;
      16) kind=ct_folder ;;
      18) kind=$([ "$i" -eq 18 ] && echo empty_file || echo random_bytes) ;;
    esac
  fi
  local tmp=$RUN/parts/$tag
  case $kind in
    letter_pdf) dest=${tag}_letter.pdf; unique_pdf "$LETTER" "$tag" "$T/ref/$dest" ;;
    letter_pdf_jp) dest=${tag}_紹介状.pdf; unique_pdf "$GM/紹介状.pdf" "$tag" "$T/ref/$dest" ;;
    scan_pdf)
      dest=${tag}_scan.pdf
      if [ $((i / 20 % 2)) -eq 0 ]; then src=$CP/scan.pdf; else src=$GM/スキャン.pdf; fi
      $LIGHT && src=$CP/scan.pdf
      unique_pdf "$src" "$tag" "$T/ref/$dest" ;;
    tiff) dest=${tag}_申込書類.tif; { cat "$TIFF"; printf 'load %s' "$tag"; } >"$T/ref/$dest" ;;
    letter_folder)
      dest=${tag}_書類; mkdir -p "$T/ref/$dest"
      cp "$LETTER" "$T/ref/$dest/紹介状.pdf"; note "$tag" "$T/ref/$dest/note.txt" ;;
    nested_folder)
      dest=${tag}_folder; mkdir -p "$T/ref/$dest/a/b"
      cp "$LETTER" "$T/ref/$dest/a/b/letter.pdf"; note "$tag" "$T/ref/$dest/a/note.txt" ;;
    letter_zip | corrupt_zip)
      dest=${tag}_$([ $kind = letter_zip ] && echo docs || echo damaged).zip
      mkdir -p "$tmp"; cp "$LETTER" "$tmp/letter.pdf"; note "$tag" "$tmp/note.txt"
      zip_of "$T/ref/$dest" "$tmp" letter.pdf note.txt
      # Damage the letter's compressed bytes; the central directory stays whole.
      [ $kind = corrupt_zip ] &&
        printf 'DAMAGED-%s-DAMAGED-DAMAGED' "$tag" | dd of="$T/ref/$dest" bs=1 seek=300 conv=notrunc status=none ;;
    disc_folder)
      dest=${tag}_disc; mkdir -p "$T/ref/$dest"
      cp -r "$CT/disc/." "$T/ref/$dest/"; note "$tag" "$T/ref/$dest/note.txt" ;;
    complete_folder)
      dest=${tag}_complete; mkdir -p "$T/ref/$dest"
      cp -r "$CP/." "$T/ref/$dest/"; note "$tag" "$T/ref/$dest/note.txt" ;;
    ct_folder)
      dest=${tag}_ct; mkdir -p "$T/ref/$dest"
      cp -r "$CT/." "$T/ref/$dest/"; note "$tag" "$T/ref/$dest/note.txt" ;;
    family_zip)
      dest=${tag}_書類一式.zip
      mkdir -p "$tmp"; cp -r "$RUN/parts/fm/." "$tmp/"; note "$tag" "$tmp/note.txt"
      zip_of "$T/ref/$dest" "$tmp" . ;;
    copy_of_0 | copy_of_2)
      local orig=${names[$((i - slot + ${kind#copy_of_}))]}
      dest=${tag}_copy_of_${orig%%_*}.${orig##*.}
      cp -r "$T/ref/$orig" "$T/ref/$dest" ;;
    corrupt_pdf)
      dest=${tag}_broken.pdf
      { printf '%%PDF-1.7\n'; yes "garbage $tag" | head -c 4096; printf '\n%%%%EOF\n'; } >"$T/ref/$dest" ;;
    empty_file) dest=${tag}_empty.pdf; : >"$T/ref/$dest" ;;
    random_bytes) dest=${tag}_unknown.pdf; head -c 3000 /dev/urandom >"$T/ref/$dest" ;;
  esac
  rm -rf "$tmp"
  names+=("$dest")
  kind_of[$dest]=$kind
}

# content_hash PATH: a file's SHA-256, or one over a folder's sorted listing of files and hashes.
content_hash() {
  if [ -d "$1" ]; then
    (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) | sha256sum | cut -c1-64
  else
    sha256sum <"$1" | cut -c1-64
  fi
}

echo "generating $N submissions$($LIGHT && echo ' (light)') in $RUN/ref"
for ((i = 0; i < N; i++)); do make_submission "$i"; done
declare -A hash_of=() group_size=()
for name in "${names[@]}"; do
  h=$(content_hash "$T/ref/$name")
  hash_of[$name]=$h
  group_size[$h]=$((${group_size[$h]:-0} + 1))
done
distinct=${#group_size[@]}
echo "  $(printf '%s\n' "${kind_of[@]}" | sort | uniq -c | awk '{ printf "%s %s, ", $1, $2 }')"
echo "  $distinct distinct contents, $((N - distinct)) exact copies; $(du -sh "$T/ref" | cut -f1)"

# The drop: a staging copy beside the inbox, then every entry renamed in, all within a moment.
cp -a "$T/ref" "$RUN/staging"
mv "$RUN/staging"/* "$RUN/inbox/"
rmdir "$RUN/staging"
[ "$(ls -A "$RUN/inbox" | wc -l)" -eq "$N" ] || fail "the inbox does not hold $N entries"

# --- the run -----------------------------------------------------------------------------------

sample_rss() {  # PID T0_US: every 0.5 s until the process is gone
  local pid=$1 t0=$2 rss hwm done_count now
  echo "seconds,rss_kib,hwm_kib,cases_done" >"$TRACE"
  while :; do
    read -r rss hwm < <(awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 } END { print r, h }' \
      "/proc/$pid/status" 2>/dev/null)
    [ -n "${rss:-}" ] || break  # exited (a zombie has no VmRSS)
    done_count=$(($(ls "$OUT/archive" 2>/dev/null | wc -l) + $(ls "$OUT/quarantine" 2>/dev/null | wc -l)))
    now=$(now_us)
    printf '%d.%03d,%s,%s,%s\n' $(((now - t0) / 1000000)) $((((now - t0) / 1000) % 1000)) \
      "$rss" "$hwm" "$done_count" >>"$TRACE"
    sleep 0.5
  done
}

echo "intake watch $RUN/inbox --out $OUT --once --settle 1 --no-progress ${WORKERS[*]}"
t0=$(now_us)
"$INTAKE" watch "$RUN/inbox" --out "$OUT" --once --settle 1 --no-progress "${WORKERS[@]}" \
  >"$RUN/watch.out" 2>"$RUN/watch.err" &
watch_pid=$!
sample_rss "$watch_pid" "$t0" &
sampler_pid=$!
wait "$watch_pid"
rc=$?
t1=$(now_us)
wait "$sampler_pid"
elapsed=$(awk -v us=$((t1 - t0)) 'BEGIN { printf "%.1f", us / 1e6 }')
[ "$rc" -eq 0 ] || fail "intake watch exited $rc (log: $RUN/watch.err)"

# --- accounting --------------------------------------------------------------------------------

# check_office: one final journal row per name, the original intact in archive/ or quarantine/,
# a done row's case folder complete (and about these bytes), no case folder without a done row,
# nothing left in the work area, staging or trash, nor in the inbox.
check_office "$OUT" "${names[@]}" && ok "each of the $N submissions ended exactly once, original intact"
rows=$(journal_rows "$OUT")
[ "$(echo "$rows" | grep -c .)" -eq "$N" ] || fail "the journal has $(echo "$rows" | grep -c .) rows for $N submissions"
[ -z "$(ls -A "$RUN/inbox")" ] || fail "left in the inbox: $(ls -A "$RUN/inbox" | head -3)"
n_done=$(echo "$rows" | awk '$2 == "done"' | wc -l)
n_dup=$(echo "$rows" | awk '$2 == "duplicate"' | wc -l)
n_quar=$(echo "$rows" | awk '$2 == "quarantined"' | wc -l)
echo "      done $n_done, duplicate $n_dup, quarantined $n_quar"
# No submission here is one that cannot become a case (corrupt files give findings, not a
# quarantine), and each group of identical bytes makes one case and duplicates of it.
[ "$n_quar" -eq 0 ] || { fail "quarantined:"; echo "$rows" | awk '$2 == "quarantined"'; }
[ "$n_done" -eq "$distinct" ] || fail "$n_done cases for $distinct distinct submissions"
declare -A case_of_hash=()
while read -r id state name case_id dup reason; do
  [ "$state" = done ] && case_of_hash[${hash_of[$name]}]=$case_id
done <<<"$rows"
while read -r id state name case_id dup reason; do
  [ "$state" = duplicate ] || continue
  [ "$dup" = "${case_of_hash[${hash_of[$name]}]:-none}" ] ||
    fail "$name is a duplicate of $dup, but its bytes made case ${case_of_hash[${hash_of[$name]}]:-none}"
done <<<"$rows"

if "$INTAKE" audit --verify --out "$OUT" --log-level off >"$RUN/audit.txt" 2>&1; then
  ok "audit trail verifies ($(wc -l <"$OUT/audit.log") records)"
else
  fail "intake audit --verify: $(tail -1 "$RUN/audit.txt")"
fi
count_events() { grep -c "\"event\":\"$1\"" "$OUT/audit.log"; }
[ "$(count_events case_processed)" -eq "$n_done" ] || fail "$(count_events case_processed) case_processed records for $n_done cases"
[ "$(count_events archived)" -eq "$n_done" ] || fail "$(count_events archived) archived records for $n_done cases"
[ "$(count_events duplicate)" -eq "$n_dup" ] || fail "$(count_events duplicate) duplicate records for $n_dup duplicates"
check_logs "$RUN/watch.err"
if grep -Eq 's[0-9]{4}_' "$RUN/watch.err"; then fail "a submission's name in the log"; fi

# --- figures -----------------------------------------------------------------------------------

# OCR'd pages: the pages of each report with an OCR confidence; per-case times from the log.
ocr_pages=0 pages=0 ocr_ms=0
declare -A case_ms=()
while read -r c ms; do case_ms[$c]=$ms; done < <(
  sed -n 's/.*event=published id=[0-9]* case=\([0-9a-f-]*\) verdict=[a-z_]* ms=\([0-9]*\).*/\1 \2/p' "$RUN/watch.err")
for c in $(echo "$rows" | awk '$2 == "done" { print $4 }'); do
  n_ocr=$(grep -Ec '"ocr_confidence": [0-9]' "$OUT/$c/report.json")
  pages=$((pages + $(grep -c '"ocr_confidence":' "$OUT/$c/report.json")))
  if [ "$n_ocr" -gt 0 ]; then
    ocr_pages=$((ocr_pages + n_ocr))
    ocr_ms=$((ocr_ms + ${case_ms[$c]:-0}))
  fi
done

# RSS: peak (VmHWM), at each quarter of the cases done, and the growth check.
read -r peak_kib q25 q50 q75 q100 half_max last_max samples < <(awk -F, -v n="$N" '
  NR == 1 { next }
  { s++; if ($3 > peak) peak = $3; last = $2
    for (q = 1; q <= 4; q++) if (!(q in at) && $4 >= n * q / 4) at[q] = $2
    if ($4 <= n / 2 && $2 > half) half = $2
    if ($4 >= n * 3 / 4 && $2 > tail) tail = $2 }
  END { for (q = 1; q <= 4; q++) if (!(q in at)) at[q] = last
        print peak, at[1], at[2], at[3], at[4], half, tail, s }' "$TRACE")
mib() { awk -v k="${1:-0}" 'BEGIN { printf "%.0f", k / 1024 }'; }
summary=$RUN/summary.txt
{
  echo "inbox load: $N submissions$($LIGHT && echo ' (light)'), $distinct distinct; $n_done cases, $n_dup duplicates, $n_quar quarantined"
  echo "wall time (watcher start to exit): ${elapsed} s"
  awk -v n="$N" -v s="$elapsed" 'BEGIN { printf "submissions/min: %.1f\n", n * 60 / s }'
  awk -v p="$ocr_pages" -v all="$pages" -v s="$elapsed" -v ms="$ocr_ms" 'BEGIN {
    printf "OCR pages: %d of %d pages; %.1f pages/min over the whole run", p, all, p * 60 / s
    if (ms > 0) printf ", %.1f pages/min over the cases with OCR (%.0f s)", p * 60000 / ms, ms / 1000
    printf "\n" }'
  echo "peak RSS (VmHWM): $(mib "$peak_kib") MiB"
  echo "RSS at 25/50/75/100 % of the cases done: $(mib "$q25") / $(mib "$q50") / $(mib "$q75") / $(mib "$q100") MiB"
  echo "RSS max before half the cases: $(mib "$half_max") MiB; max after three quarters: $(mib "$last_max") MiB ($samples samples)"
  echo "trace: $TRACE"
} | tee "$summary"

if $CHECK; then
  if [ "$MAX_RSS_MIB" -gt 0 ]; then
    [ "${peak_kib:-0}" -gt 0 ] || fail "no RSS sample"
    [ "${peak_kib:-0}" -le $((MAX_RSS_MIB * 1024)) ] || fail "peak RSS $(mib "$peak_kib") MiB above $MAX_RSS_MIB MiB"
    [ "${last_max:-0}" -le $((${half_max:-0} + GROWTH_MIB * 1024)) ] ||
      fail "RSS grew: $(mib "$last_max") MiB in the last quarter against $(mib "$half_max") MiB in the first half (margin $GROWTH_MIB MiB)"
  fi
  # Self-check: take one archived original away; the accounting must call it lost.
  read -r vid vname < <(echo "$rows" | awk '$2 == "done" { print $1, $3; exit }')
  if [ -n "${vname:-}" ] && [ -e "$OUT/archive/$vid/$vname" ]; then
    saved_failures=$failures
    mv "$OUT/archive/$vid/$vname" "$RUN/taken-away"
    if check_office "$OUT" "${names[@]}" >/dev/null; then caught=false; else caught=true; fi
    mv "$RUN/taken-away" "$OUT/archive/$vid/$vname"
    failures=$saved_failures
    $caught && ok "self-check: a submission taken out of the archive is reported" ||
      fail "self-check: the accounting did not notice a missing original"
  else
    fail "self-check: no archived case to take away"
  fi
fi

if [ "$failures" -eq 0 ]; then
  $KEEP || rm -rf "$RUN/ref" "$RUN/inbox" "$OUT" "$RUN/parts"
  echo "PASS"
  exit 0
fi
echo "FAILED ($failures); everything kept in $RUN"
exit 1
