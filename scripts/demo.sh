#!/usr/bin/env bash
# Sets up, generates the bundled sample submissions and checks one of them end to end.
# Usage: scripts/demo.sh [SAMPLE]   (default: complete_patient; see samples/README.md)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
sample="${1:-complete_patient}"
if [ ! -f "samples/$sample/sample.yaml" ]; then
  echo "demo: no sample named '$sample'; choose one of: $(ls samples | grep -v -E 'generator|README|CMake' | tr '\n' ' ')" >&2
  exit 2
fi
# What to hand to intake, as the sample describes it: the folder itself, or one file in it.
key=$(sed -n 's/^submission:[[:space:]]*//p' "samples/$sample/sample.yaml" | tr -d '"' | head -n 1)
submission="build/samples/$sample/submission/${key:-.}"
mkdir -p out
build/app/intake process "$submission" --out out
echo
echo "Open the report in a browser: out/<case-id>/report.html (the line above gives the path)."
