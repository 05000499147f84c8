#!/usr/bin/env bash
# The exit codes README.md documents, checked on the real binary. Usage: cli_exit_codes.sh INTAKE
set -u
intake="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

expect() {  # expect CODE DESCRIPTION -- COMMAND...
  local want="$1" what="$2"
  shift 3
  "$@" >"$tmp/out" 2>&1
  local got=$?
  if [ "$got" -eq "$want" ]; then
    echo "ok    $what (exit $got)"
  else
    echo "FAIL  $what: expected exit $want, got $got"; sed 's/^/      /' "$tmp/out"
    failures=$((failures + 1))
  fi
}

mkdir -p "$tmp/empty"
printf 'schema: intake.profile/1\nid: broken\n' >"$tmp/broken.yaml"
touch "$tmp/file"

expect 2 "no subcommand" -- "$intake"
expect 2 "unknown option" -- "$intake" process "$tmp/empty" --out "$tmp/o" --bogus
expect 2 "invalid profile" -- "$intake" process "$tmp/empty" --out "$tmp/o" --profile "$tmp/broken.yaml"
expect 1 "submission not found" -- "$intake" process "$tmp/nope" --out "$tmp/o"
expect 2 "a negative case time limit" -- "$intake" process "$tmp/empty" --out "$tmp/o" --case-time-limit -1
expect 1 "a case over its time limit" -- env INTAKE_HANG_AT=pages "$intake" process "$tmp/file" --out "$tmp/t" --case-time-limit 1
expect 3 "output folder not creatable" -- "$intake" process "$tmp/empty" --out "$tmp/file/sub"
expect 0 "an empty submission is a result, not an error" -- \
  "$intake" process "$tmp/empty" --out "$tmp/o" --log-level warn
expect 0 "audit --verify after a case" -- "$intake" audit --verify --out "$tmp/o"
case_id=$(ls "$tmp/o" | grep -E '^[0-9]{8}-[0-9a-f]{8}$' | head -1)
expect 0 "audit of that case" -- "$intake" audit "$case_id" --out "$tmp/o"
expect 1 "audit of an unknown case" -- "$intake" audit 19990101-00000000 --out "$tmp/o"
expect 2 "audit without a case id or --verify" -- "$intake" audit --out "$tmp/o"
expect 3 "audit --verify where there is no audit trail" -- "$intake" audit --verify --out "$tmp/empty"
expect 2 "forward to a PACS given without a port" -- \
  "$intake" forward "$case_id" --out "$tmp/o" --pacs PACS@localhost
expect 2 "forward with a patient ID that is not ASCII" -- \
  "$intake" forward "$case_id" --out "$tmp/o" --pacs PACS@localhost:104 --patient-id 患者 --issuer H
expect 1 "forward of an unknown case" -- \
  "$intake" forward 19990101-00000000 --out "$tmp/o" --pacs PACS@localhost:104
expect 0 "forward of a case without imaging: nothing to send" -- \
  "$intake" forward "$case_id" --out "$tmp/o" --pacs PACS@127.0.0.1:1
if [ -e "$tmp/o/$case_id/forward.json" ] || grep -q case_forwarded "$tmp/o/audit.log"; then
  echo "FAIL  a forward with nothing to send left a record"; failures=$((failures + 1))
fi
sed -i 's/"duration_ms":[0-9]*/"duration_ms":999999999/' "$tmp/o/audit.log"  # one edited field
expect 5 "audit --verify on an edited audit trail" -- "$intake" audit --verify --out "$tmp/o"
expect 0 "check-config on the shipped profile" -- "$intake" check-config "$(dirname "$0")/../../config/profiles/utokyo-online.yaml"
expect 1 "check-config on a broken profile" -- "$intake" check-config "$tmp/broken.yaml"
expect 2 "watch: the inbox is not a folder" -- "$intake" watch "$tmp/nope" --out "$tmp/w"
expect 2 "watch: the output folder inside the inbox" -- "$intake" watch "$tmp/empty" --out "$tmp/empty/out"
expect 2 "watch: a negative settle time" -- "$intake" watch "$tmp/empty" --out "$tmp/w" --settle -1
expect 2 "watch: a negative page time limit" -- "$intake" watch "$tmp/empty" --out "$tmp/w" --page-time-limit -1
expect 0 "watch --once on an empty inbox" -- "$intake" watch "$tmp/empty" --out "$tmp/w" --once --settle 0
expect 2 "retry without ids or --all" -- "$intake" retry --out "$tmp/w"
expect 1 "retry of an id that is not quarantined" -- "$intake" retry 7 --out "$tmp/w"
expect 0 "status of an empty journal" -- "$intake" status --out "$tmp/w"
expect 2 "status where no watcher ran" -- "$intake" status --out "$tmp/o"

[ "$failures" -eq 0 ]
