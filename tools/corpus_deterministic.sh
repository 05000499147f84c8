#!/bin/bash
# The page corpus is deterministic: the same options write the same bytes. Generates the first
# 11 pages (every degradation once, eleven kinds of page) twice and compares.
# Usage: corpus_deterministic.sh INTAKE_SAMPLEGEN
set -euo pipefail
samplegen=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$samplegen" --corpus "$work/a" --pages 11 >/dev/null
"$samplegen" --corpus "$work/b" --pages 11 >/dev/null
pages=$(wc -l < "$work/a/truth.jsonl")
if [ "$pages" -lt 11 ]; then
  echo "expected at least 11 pages, got $pages" >&2
  exit 1
fi
diff -r "$work/a" "$work/b"
echo "corpus of $pages pages written twice, identical"
