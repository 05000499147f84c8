#!/usr/bin/env bash
# Installs every Debian package that building, running and testing intake needs, then builds.
# Usage: scripts/setup.sh [--no-build]   (run as root, or with sudo available)
# INTAKE_WERROR=ON in the environment builds with warnings as errors (scripts/test.sh and CI do);
# unset, the build keeps what build/ was configured with (off in a fresh clone).
# INTAKE_BUILD_TYPE picks the CMake build type of build/ (default RelWithDebInfo; CI: Release).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git
  # OCR: Tesseract 5 + Leptonica, Japanese (horizontal and vertical), English, orientation
  libtesseract-dev libleptonica-dev tesseract-ocr
  tesseract-ocr-jpn tesseract-ocr-jpn-vert tesseract-ocr-eng tesseract-ocr-osd
  # photos Leptonica does not read: HEIC/AVIF (libheif; heif-enc makes the test photos), RLE BMP;
  # TIFF frame sizes in one pass (libtiff); libjpeg, called by our JPEG decoder and whose messages
  # we count instead of printing
  libheif-dev libheif-examples libgdk-pixbuf-2.0-dev libtiff-dev libjpeg-dev
  # PDF text layer and rendering (poppler-cpp), scanned pages' images (Poppler's core API); qpdf
  # checks the searchable PDFs in the tests
  libpoppler-cpp-dev libpoppler-private-dev poppler-utils qpdf zlib1g-dev
  # DICOM
  libdcmtk-dev dcmtk
  # forwarding to a PACS is tested against a real Orthanc (its REST API read with curl and jq);
  # JPEG 2000 key images are decoded with OpenJPEG
  orthanc libopenjp2-7-dev curl jq
  # several watchers sharing one journal: libpq, and PostgreSQL 15 itself, which the tests start
  # in a temporary folder (initdb + pg_ctl)
  libpq-dev postgresql-15
  # archives, storage, config, CLI, logs, hashing, type sniffing, normalisation
  libarchive-dev libsqlite3-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libspdlog-dev
  libssl-dev libmagic-dev libicu-dev
  # sample generator and the letter to the patient: Japanese text rendering to PDF and images;
  # the letter's reply slip QR code (libqrencode) and reading it back from scans (zxing-cpp);
  # the held-out corpus's typefaces (printed, and hand-like for filled-in values); the letter
  # is set in Takao Gothic (a TrueType face: quick to embed)
  libcairo2-dev libpango1.0-dev fonts-noto-cjk libqrencode-dev libzxing-dev
  fonts-ipafont-mincho fonts-takao-gothic fonts-vlgothic fonts-mplus fonts-motoya-l-cedar
  fonts-klee fonts-yozvox-yozfont
  # tests and benchmarks; clang with its sanitizer and libFuzzer runtimes for scripts/fuzz.sh;
  # a headless browser opens index.html and report.html in e2e tests
  libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev chromium
  # the inbox load test (bench/inbox_load.sh) builds zips and unpacks one; the hostile-input
  # test makes a 7z with encrypted headers (7z a -p -mhe=on)
  zip unzip p7zip-full
  # the intake-bench grader (scripts/intake_bench.sh)
  python3
  # the review server (serve/): HTTP, Argon2id password hashes; its browser test drives chromium,
  # its load and reprocessing tests use curl
  libcpp-httplib-dev libsodium-dev chromium-driver python3-selenium curl
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${#missing[@]} Debian packages" >&2
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${packages[@]}"
fi

if [ "${1:-}" != "--no-build" ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${INTAKE_BUILD_TYPE:-RelWithDebInfo}" \
    ${INTAKE_WERROR:+-DINTAKE_WERROR=$INTAKE_WERROR}
  cmake --build build
fi
