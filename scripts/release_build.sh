#!/usr/bin/env bash
# The Release build (-O3, as packagers build) with warnings as errors, in build-release/: the
# product and the unit tests of the code GCC 12 warned about at -O3 only (the profile's error
# texts, the archive walker's names, the searchable PDF's text map, the audit trail's evidence),
# which then run. Usage: scripts/release_build.sh [CC=... CXX=... in the environment for clang]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --no-build
build=${INTAKE_RELEASE_BUILD:-build-release}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DINTAKE_WERROR=ON >/dev/null
tests=(profile_test unpack_test searchable_pdf_test audit_log_test)
cmake --build "$build" --target intake "${tests[@]}"
ctest --test-dir "$build" --output-on-failure -j2 -R '^(Profile|ConfigError|Unpack|SearchablePdf|AuditLog)'
"$build/app/intake" --version
