#!/usr/bin/env bash
# Builds the whole project with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/, set
# up by scripts/asan_tree.sh) and runs the test suite under them.
# Usage: scripts/sanitize.sh [ctest arguments]      (CI leaves out `-L 'load|soak'`)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --no-build
source scripts/asan_tree.sh
configure_asan_tree
cmake --build "$asan_build"
export ASAN_OPTIONS="detect_leaks=1"
ctest --test-dir "$asan_build" --output-on-failure -j2 "$@"
