#!/usr/bin/env bash
# Sets up (Debian packages, build) and runs the whole test suite: unit tests and the end-to-end
# sample tests. Usage: scripts/test.sh   (ctest arguments may follow, e.g. -R e2e)
set -euo pipefail
cd "$(dirname "$0")/.."
INTAKE_WERROR=ON scripts/setup.sh  # our own code builds without a warning
ctest --test-dir build --output-on-failure -j2 "$@"
