#!/usr/bin/env bash
# Installs dependencies, builds, checks the C++ formatting, and runs every
# test (gtest + lit) via ctest, then the sanitizer build and the fuzzer
# (scripts/sanitize.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
bash scripts/check-format.sh
cd build
ctest --output-on-failure -j2
cd ..
bash scripts/sanitize.sh
