#!/usr/bin/env bash
# Sets up, generates the bundled sample submissions and checks one of them end to end.
# Usage: scripts/demo.sh [SAMPLE]   (default: complete_patient; see samples/README.md)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
sample="${1:-complete_patient}"
submission=$(find "build/samples/$sample/submission" -mindepth 1 -maxdepth 1 | sort | head -n 1)
if [ -z "$submission" ]; then
  echo "demo: no generated sample named '$sample' (see build/samples/)" >&2
  exit 2
fi
mkdir -p out
build/app/intake process "$submission" --out out
echo
echo "Open the report in a browser: out/<case-id>/report.html (the line above gives the path)."
