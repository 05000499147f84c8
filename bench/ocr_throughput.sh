#!/usr/bin/env bash
# OCR throughput: `intake process` on a 40-page image-only scanned PDF against the plain
# `tesseract` command (two single-threaded processes side by side, on the same page images: the
# scans as the PDF stores them, which is what intake reads; and, for reference, the pages drawn at
# 300 dpi) and against `ocrmypdf -l jpn --jobs 2`; then intake's peak RSS on a 100-page scan.
#
# usage: bench/ocr_throughput.sh [BUILD_DIR] [RUNS]      (defaults: build, 3)
#        OCRMYPDF=0 bench/ocr_throughput.sh ...          (leave ocrmypdf out: it takes minutes)
#
# The scans are the project's own generated samples (build/samples), pages cycled to 40 and 100.
# intake's time is the whole run: engine load, taking each page's image out of the PDF,
# orientation, deskew, OCR, classification, facts, rules, searchable PDFs and reports.
# tesseract's time is OCR alone (page images made beforehand with pdfimages and pdftoppm).
# ocrmypdf runs once (it takes minutes); install it with `apt-get install ocrmypdf` to include it.
# Prints medians and pages per minute.
set -euo pipefail

build=${1:-build}
runs=${2:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
ninja -C "$build" intake intake-samples >/dev/null
intake=$build/app/intake
data=$build/bench-data/ocr
mkdir -p "$data"

# Cycle the sample scans' pages to N pages: one image-only PDF.
make_scan() {
  local n=$1 out=$2 singles=$data/singles
  rm -rf "$singles" && mkdir -p "$singles"
  local i=0
  for pdf in "$build"/samples/complete_patient/submission/scan.pdf \
    "$build"/samples/ct_disc/submission/scan.pdf \
    "$build"/samples/family_living_together/submission/*.pdf \
    "$build"/samples/geriatrics_missing_medication/submission/スキャン.pdf; do
    pdfseparate "$pdf" "$singles/$(printf %03d $i)-%03d.pdf"
    i=$((i + 1))
  done
  mapfile -t pages < <(ls "$singles"/*.pdf | sort)
  local list=()
  for ((k = 0; k < n; k++)); do list+=("${pages[k % ${#pages[@]}]}"); done
  pdfunite "${list[@]}" "$out"
}
[[ -f $data/scan40.pdf ]] || make_scan 40 "$data/scan40.pdf"
[[ -f $data/scan100.pdf ]] || make_scan 100 "$data/scan100.pdf"
if [[ ! -d $data/scans40 ]]; then
  mkdir -p "$data/scans40"
  # The scans as stored (JPEGs stay the JPEGs they are, with their resolution).
  pdfimages -all "$data/scan40.pdf" "$data/scans40/p"
fi
if [[ ! -d $data/pages40 ]]; then
  mkdir -p "$data/pages40"
  # PGM, not PNG: Poppler's PNG writer takes many seconds a page.
  pdftoppm -r 300 -gray "$data/scan40.pdf" "$data/pages40/p"
fi
pages=$(ls "$data/scans40"/* | wc -l)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

seconds() {  # wall seconds of a command, output discarded
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 || true
  end=$(date +%s%N)
  awk -v ns=$((end - start)) 'BEGIN { printf "%.2f", ns / 1e9 }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
run_intake() { rm -rf "$scratch/out" && "$intake" process "$data/scan40.pdf" --out "$scratch/out"; }
run_tesseract() {
  ls "$data/scans40"/* | OMP_THREAD_LIMIT=1 xargs -P 2 -I{} tesseract {} - -l jpn
}
run_tesseract300() {
  ls "$data/pages40"/*.pgm | OMP_THREAD_LIMIT=1 xargs -P 2 -I{} tesseract {} - -l jpn
}
run_ocrmypdf() { ocrmypdf -q -l jpn --jobs 2 --force-ocr "$data/scan40.pdf" "$scratch/ocrmypdf.pdf"; }

t_intake=()
t_tess=()
t_tess300=()
for ((r = 0; r < runs; r++)); do
  t_intake+=("$(seconds run_intake)")
  t_tess+=("$(seconds run_tesseract)")
  t_tess300+=("$(seconds run_tesseract300)")
done
mi=$(printf '%s\n' "${t_intake[@]}" | median)
mt=$(printf '%s\n' "${t_tess[@]}" | median)
m3=$(printf '%s\n' "${t_tess300[@]}" | median)
echo "OCR throughput on $pages scanned pages (jpn), $runs runs, medians"
printf '%-44s %10s %10s\n' tool seconds pages/min
printf '%-44s %10s %10.1f\n' "intake process (whole pipeline)" "$mi" "$(awk -v s="$mi" -v p="$pages" 'BEGIN { print p * 60 / s }')"
printf '%-44s %10s %10.1f\n' "tesseract -l jpn, 2 processes, the scans" "$mt" "$(awk -v s="$mt" -v p="$pages" 'BEGIN { print p * 60 / s }')"
printf '%-44s %10s %10.1f\n' "tesseract -l jpn, 2 processes, drawn 300 dpi" "$m3" "$(awk -v s="$m3" -v p="$pages" 'BEGIN { print p * 60 / s }')"
if [[ ${OCRMYPDF:-1} == 0 ]]; then
  echo "ocrmypdf: left out (OCRMYPDF=0)"
elif command -v ocrmypdf >/dev/null; then
  mo=$(seconds run_ocrmypdf)
  printf '%-44s %10s %10.1f\n' "ocrmypdf -l jpn --jobs 2 (one run)" "$mo" "$(awk -v s="$mo" -v p="$pages" 'BEGIN { print p * 60 / s }')"
else
  echo "ocrmypdf: not installed (apt-get install ocrmypdf), skipped"
fi
echo "ratio intake / tesseract time: $(awk -v a="$mi" -v b="$mt" 'BEGIN { printf "%.2f", a / b }')"
echo "all runs: intake ${t_intake[*]}; tesseract ${t_tess[*]}; tesseract 300 dpi ${t_tess300[*]}"

rm -rf "$scratch/out"
/usr/bin/time -f %M -o "$scratch/rss" "$intake" process "$data/scan100.pdf" --out "$scratch/out" \
  >/dev/null 2>&1 || true
rss=$(tail -1 "$scratch/rss")
echo "peak RSS, intake on a 100-page scan: $((rss / 1024)) MiB"
