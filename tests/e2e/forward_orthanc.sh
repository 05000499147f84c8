#!/usr/bin/env bash
# `intake forward` against a real Orthanc (Debian's orthanc package), started here on free ports
# with a generated configuration and storage in the test's folder, stopped at the end.
#
#   1. a CT disc (8 uncompressed + 4 JPEG Lossless slices, Japanese name) and a JPEG 2000 MR disc
#      are processed; the JPEG 2000 series gets a key image (OpenJPEG)
#   2. forwarded with a local patient ID to an Orthanc that takes every transfer syntax: every
#      instance arrives (REST API) with the local ID, the disc's ID in Original Attributes
#      Sequence and Other Patient IDs Sequence, the Japanese name and character set intact, the
#      UIDs unchanged; a second forward sends nothing; the report, index.html and audit trail say so
#   3. to an Orthanc that takes uncompressed transfer syntaxes only, stopped after 5 instances:
#      the run ends incomplete, the next one (Orthanc back) sends exactly the 7 others, and the
#      JPEG and JPEG 2000 instances arrive decompressed; `intake watch --pacs` forwards a
#      complete case by itself
#   4. the kept original and the case folder's DICOM files are unchanged
#
# Usage: forward_orthanc.sh INTAKE MAKE_DISCS WORK_DIR. Exit 77 (skipped) without Orthanc.
set -euo pipefail
intake=$1
make_discs=$2
work=$3
orthanc=/usr/sbin/Orthanc

if [ ! -x "$orthanc" ]; then
  echo "SKIP: $orthanc not found: Debian's orthanc package is not installed (scripts/setup.sh installs it)"
  exit 77
fi
for tool in curl jq; do
  command -v "$tool" > /dev/null || { echo "SKIP: $tool is not installed (scripts/setup.sh)"; exit 77; }
done

fail() { echo "FAIL: $*" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work"

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null || { echo "$port"; return; }
  done
}

declare -A orthanc_pid http_port dicom_port
# start_orthanc NAME [ACCEPTED_SYNTAXES_JSON]: the configuration is written once; a restart
# keeps its ports and storage.
start_orthanc() {
  local name=$1 dir=$work/orthanc-$1
  if [ ! -f "$dir/config.json" ]; then
    mkdir -p "$dir/storage"
    http_port[$name]=$(free_port)
    dicom_port[$name]=$(free_port)
    cat > "$dir/config.json" << EOF
{
  "Name": "intake-test-$name",
  "StorageDirectory": "$dir/storage",
  "IndexDirectory": "$dir/storage",
  "DicomAet": "ORTHANC",
  "DicomPort": ${dicom_port[$name]},
  "HttpPort": ${http_port[$name]},
  "RemoteAccessAllowed": false,
  "AuthenticationEnabled": false,
  "DicomCheckCalledAet": false,
  "Plugins": [],
  "SaveJobs": false,
  "AcceptedTransferSyntaxes": ${2:-[\"1.2.840.10008.1.*\"]}
}
EOF
  fi
  "$orthanc" "$dir/config.json" >> "$dir/orthanc.log" 2>&1 &
  orthanc_pid[$name]=$!
  for _ in $(seq 200); do
    curl -sf "http://127.0.0.1:${http_port[$name]}/system" > /dev/null && return 0
    sleep 0.1
  done
  fail "Orthanc $name did not start (see $dir/orthanc.log)"
}
stop_orthanc() {
  kill "${orthanc_pid[$1]}" 2> /dev/null || true
  wait "${orthanc_pid[$1]}" 2> /dev/null || true
  unset "orthanc_pid[$1]"
}
cleanup() {
  for name in "${!orthanc_pid[@]}"; do stop_orthanc "$name"; done
}
trap cleanup EXIT

rest() { curl -sf "http://127.0.0.1:${http_port[$1]}$2"; }
count() { rest "$1" /instances | jq length; }
# One field of every instance in Orthanc NAME, sorted: instance_field NAME JQ_FILTER
instance_field() {
  for id in $(rest "$1" /instances | jq -r '.[]'); do
    rest "$1" "/instances/$id/tags?simplify" | jq -r "$2"
  done | sort
}

# --- 1. the cases -----------------------------------------------------------------------------
"$make_discs" "$work/in" || fail "the sample discs could not be made"
out=$work/out
process() {
  "$intake" process "$1" --out "$out" > "$work/process.txt" 2> "$work/process.log" ||
    fail "intake process $1 failed"
  awk '/^case /{print $2}' "$work/process.txt"
}
case_a=$(process "$work/in/disc")
case_b=$(process "$work/in/j2k_disc")
[ -n "$case_a" ] && [ -n "$case_b" ] || fail "no case ids"

series_b=$(jq -c '.imaging.patients[0].studies[0].series[0]' "$out/$case_b/report.json")
[ "$(jq -r .transfer_syntax <<< "$series_b")" = 1.2.840.10008.1.2.4.90 ] ||
  fail "the JPEG 2000 sample is not JPEG 2000"
[ "$(jq -r .pixels_decodable <<< "$series_b")" = true ] || fail "JPEG 2000 pixels not decodable"
key=$(jq -r .key_image <<< "$series_b")
[ "$key" != null ] && [ -s "$out/$case_b/$key" ] || fail "no key image for the JPEG 2000 series"
echo "ok: the JPEG 2000 series has a key image ($key)"

originals_before=$(cd "$out/$case_a" && find 11_原本 09_画像 -type f -exec sha256sum {} + | sort)

# --- 2. reconciled forward to an Orthanc that takes everything -------------------------------
start_orthanc all
forward_all() {
  "$intake" forward "$case_a" --out "$out" --pacs "ORTHANC@127.0.0.1:${dicom_port[all]}" \
    --calling-aet INTAKE_TEST --patient-id H0012345 --issuer HOSP.EXAMPLE
}
forward_all > "$work/forward1.txt" || fail "first forward failed: $(cat "$work/forward1.txt")"
grep -q "complete instances=12 stored=12 already_there=0 failed=0" "$work/forward1.txt" ||
  fail "first forward: $(cat "$work/forward1.txt")"
[ "$(count all)" = 12 ] || fail "Orthanc holds $(count all) instances, not 12"
[ "$(instance_field all .PatientID | uniq)" = H0012345 ] || fail "local PatientID not set"
[ "$(instance_field all .IssuerOfPatientID | uniq)" = HOSP.EXAMPLE ] || fail "issuer not set"
[ "$(instance_field all '.OriginalAttributesSequence[0].ModifiedAttributesSequence[0].PatientID' |
  uniq)" = DISC-0042 ] || fail "the disc's PatientID is not in Original Attributes Sequence"
[ "$(instance_field all '.OriginalAttributesSequence[0].ReasonForTheAttributeModification' |
  uniq)" = COERCE ] || fail "no reason for the modification"
[ "$(instance_field all '.OtherPatientIDsSequence[0].PatientID' | uniq)" = DISC-0042 ] ||
  fail "the disc's PatientID is not in Other Patient IDs Sequence"
[ "$(instance_field all .PatientName | uniq)" = "ヤマダ^タロウ=山田^太郎=やまだ^たろう" ] ||
  fail "the Japanese name changed: $(instance_field all .PatientName | uniq)"
[ "$(instance_field all .SpecificCharacterSet | uniq)" = "ISO_IR 192" ] ||
  fail "SpecificCharacterSet changed"
[ "$(instance_field all .PatientBirthDate | uniq)" = 19560312 ] || fail "birth date changed"
sent_uids=$(jq -r '.destinations[].instances | keys[]' "$out/$case_a/forward.json" | sort)
[ "$(instance_field all .SOPInstanceUID)" = "$sent_uids" ] || fail "SOP Instance UIDs changed"
echo "ok: 12 instances in Orthanc, reconciled, Japanese name and UIDs intact"

forward_all > "$work/forward2.txt" || fail "second forward failed"
grep -q "complete instances=12 stored=0 already_there=12 failed=0" "$work/forward2.txt" ||
  fail "second forward sent again: $(cat "$work/forward2.txt")"
[ "$(count all)" = 12 ] || fail "Orthanc holds $(count all) instances after the second forward"
echo "ok: a second forward sends nothing"

jq -e --arg d "ORTHANC@127.0.0.1:${dicom_port[all]}" \
  '.forwarding | length == 1 and .[0].destination == $d and .[0].complete and
   .[0].instances == 12 and .[0].already_there == 12 and .[0].reconciled' \
  "$out/$case_a/report.json" > /dev/null || fail "report.json has no forwarding result"
grep -q 'id="forwarding"' "$out/$case_a/report.html" || fail "report.html has no forwarding section"
grep -q 'PACS転送済' "$out/index.html" || fail "index.html does not show the case as forwarded"
[ "$(grep -c '"event":"case_forwarded"' "$out/audit.log")" = 2 ] ||
  fail "the audit trail does not hold two case_forwarded records"
grep -q 'H0012345\|DISC-0042' "$out/audit.log" && fail "a patient ID is in the audit trail"
"$intake" audit --verify --out "$out" > /dev/null || fail "the audit trail does not verify"
echo "ok: report.json, report.html, index.html and the audit trail show the forward"

# --- the watcher forwards a complete case by itself ---------------------------------------------
# A profile that asks for the imaging only, so that a disc alone is a complete case.
cat > "$work/imaging-only.yaml" << 'PROFILE'
schema: intake.profile/1
id: imaging-only
name: 画像のみ（試験用）
document_types:
  referral_letter:
    label: 診療情報提供書（紹介状）
    title_keywords: [診療情報提供書]
requirements:
  - id: imaging
    label: 画像データ
    ask: 画像のディスクをお送りください。
    any_of: [dicom_images]
PROFILE
mkdir -p "$work/inbox"
cp -r "$work/in/j2k_disc" "$work/inbox/"
"$intake" watch "$work/inbox" --out "$work/watch-out" --once --settle 1 --no-progress \
  --profile "$work/imaging-only.yaml" --pacs "ORTHANC@127.0.0.1:${dicom_port[all]}" \
  > "$work/watch.txt" 2> "$work/watch.log" || fail "intake watch failed: $(cat "$work/watch.log")"
watched=$(awk '/^case /{print $2}' "$work/watch.txt")
[ -n "$watched" ] || fail "the watcher made no case: $(cat "$work/watch.txt")"
[ "$(jq -r .verdict "$work/watch-out/$watched/report.json")" = complete ] ||
  fail "the watched case is not complete: $(cat "$work/watch.txt")"
jq -e '.forwarding[0] | .complete and .stored == 3 and (.reconciled | not)' \
  "$work/watch-out/$watched/report.json" > /dev/null || fail "the watcher did not forward the case"
[ "$(count all)" = 15 ] || fail "Orthanc holds $(count all) instances, not 12 + 3"
grep -q 'PACS転送済' "$work/watch-out/index.html" || fail "the watcher's index.html shows no forward"
echo "ok: the watcher forwarded a complete case (JPEG 2000 stored as it is)"

# --- 3. uncompressed only, stopped half-way ---------------------------------------------------
uncompressed='["1.2.840.10008.1.2", "1.2.840.10008.1.2.1"]'
start_orthanc plain "$uncompressed"
forward_plain() {
  "$intake" forward "$1" --out "$out" --pacs "ORTHANC@127.0.0.1:${dicom_port[plain]}" \
    --retries 1
}
INTAKE_PAUSE_AT='forward_stored#5' INTAKE_PAUSE_SECONDS=10 forward_plain "$case_a" \
  > "$work/forward3.txt" 2> "$work/forward3.log" &
forward_pid=$!
for _ in $(seq 100); do
  [ "$(count plain)" = 5 ] && break
  sleep 0.1
done
[ "$(count plain)" = 5 ] || fail "the paused forward did not store 5 instances"
stop_orthanc plain
if wait "$forward_pid"; then fail "a forward to a stopped Orthanc exited 0"; fi
grep -q "incomplete instances=12 stored=5 already_there=0 failed=7" "$work/forward3.txt" ||
  fail "interrupted forward: $(cat "$work/forward3.txt")"
start_orthanc plain
forward_plain "$case_a" > "$work/forward4.txt" || fail "resumed forward failed"
grep -q "complete instances=12 stored=7 already_there=5 failed=0" "$work/forward4.txt" ||
  fail "resumed forward: $(cat "$work/forward4.txt")"
[ "$(count plain)" = 12 ] || fail "Orthanc holds $(count plain) instances after the resume"
echo "ok: stopped half-way, the next run sent the 7 instances not acknowledged"

forward_plain "$case_b" > "$work/forward5.txt" || fail "JPEG 2000 forward failed"
grep -q "complete instances=3 stored=3 already_there=0 failed=0 decompressed=3" \
  "$work/forward5.txt" || fail "JPEG 2000 forward: $(cat "$work/forward5.txt")"
decompressed=$(cat "$work/forward3.txt" "$work/forward4.txt" | sed -n 's/.*decompressed=//p' |
  awk '{s += $1} END {print s}')
[ "$decompressed" = 4 ] || fail "$decompressed JPEG instances sent decompressed, not 4"
for id in $(rest plain /instances | jq -r '.[]'); do
  syntax=$(rest plain "/instances/$id/metadata/TransferSyntax")
  case "$syntax" in
    1.2.840.10008.1.2 | 1.2.840.10008.1.2.1) ;;
    *) fail "an instance arrived in $syntax, which Orthanc was told to refuse" ;;
  esac
done
echo "ok: refused transfer syntaxes (JPEG Lossless, JPEG 2000) sent decompressed"

# --- 4. the originals ---------------------------------------------------------------------------
originals_after=$(cd "$out/$case_a" && find 11_原本 09_画像 -type f -exec sha256sum {} + | sort)
[ "$originals_before" = "$originals_after" ] || fail "the kept original or the DICOM files changed"
echo "ok: the kept original is unchanged"
echo "PASS"
