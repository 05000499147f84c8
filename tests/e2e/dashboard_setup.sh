#!/usr/bin/env bash
# The output folder the audit-trail and browser tests look at: `intake process` on a few generated
# samples, in one run, into a fresh RUN/out; intake's log goes to RUN/intake.log.
# Usage: dashboard_setup.sh INTAKE SAMPLES_SOURCE_DIR SAMPLES_BUILD_DIR RUN_DIR SAMPLE...
set -euo pipefail
intake="$1" samples_src="$2" samples_gen="$3" run="$4"
shift 4
rm -rf "$run/out" "$run/intake.log"  # the browser test's screenshots stay until it runs again
mkdir -p "$run"
submissions=()
for sample in "$@"; do
  key=$(sed -n 's/^submission: *//p' "$samples_src/$sample/sample.yaml")
  submission="$samples_gen/$sample/submission/${key:-.}"
  if [ ! -e "$submission" ]; then
    echo "missing $submission: build the target intake-samples first" >&2
    exit 1
  fi
  submissions+=("$submission")
done
start=$(date +%s%N)
"$intake" process "${submissions[@]}" --out "$run/out" 2>"$run/intake.log"
echo "intake process: $# submissions in $(( ($(date +%s%N) - start) / 1000000 )) ms"
ls "$run/out"
