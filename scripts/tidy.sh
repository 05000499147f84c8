#!/usr/bin/env bash
# clang-tidy (the checks in .clang-tidy) on the product's own code: every .cc of the product
# folders, and the headers they include from those folders. Any finding fails the run.
#
# usage: scripts/tidy.sh [FILE...]      (default: every product .cc file)
#
# Uses build/compile_commands.json (scripts/test.sh or scripts/setup.sh makes it; configured here
# when missing). The files are compiled with the build's own flags, so clang's -Wall -Wextra
# warnings count too. Two files at a time (INTAKE_TIDY_JOBS).
set -euo pipefail
cd "$(dirname "$0")/.."

build=build
if [[ ! -f $build/compile_commands.json ]]; then
  scripts/setup.sh --no-build
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
files=("$@")
if [[ ${#files[@]} -eq 0 ]]; then
  mapfile -t files < <(git ls-files '*.cc' |
    grep -E '^(pipeline|config|text|archive|filetype|ocr|dicom|pdf|report|audit|dashboard|stages|forward|casework|app|watch|serve|letter|followup|barcode|casestate)/')
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
printf '%s\n' "${files[@]}" |
  xargs -P "${INTAKE_TIDY_JOBS:-2}" -n 1 clang-tidy -p "$build" --quiet \
    --extra-arg=-Wno-unknown-warning-option >"$log" 2>&1 || status=$?
# clang-tidy's own chatter ("N warnings generated", suppression counts) is left out.
grep -vE '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter|^Error while processing' \
  "$log" || true
if [[ $status -ne 0 ]]; then
  echo "tidy: findings in our code (see above; .clang-tidy says what each check is for)" >&2
  exit 1
fi
echo "tidy: ${#files[@]} files, no finding"
