#!/usr/bin/env bash
# Installs dependencies, builds, checks the C++ formatting, and runs every
# test (gtest + lit) via ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
bash scripts/check-format.sh
cd build
ctest --output-on-failure -j2
