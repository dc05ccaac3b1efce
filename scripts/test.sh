#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test (gtest + lit) via ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cd build
ctest --output-on-failure -j2
