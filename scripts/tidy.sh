#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy: LLVM/MLIR checks) over our C++ sources with
# build/compile_commands.json; exits non-zero on any finding. 5-10 min on two
# cores, so not part of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/compile_commands.json ] || bash scripts/build.sh
out=$(/usr/lib/llvm-22/bin/run-clang-tidy -clang-tidy-binary clang-tidy-22 \
  -p build -quiet -j "$(nproc)" "$PWD/(lib|tools|test/lib|unittests)/" 2>/dev/null)
findings=$(grep -c "warning:" <<<"$out" || true)
grep -A3 "warning:" <<<"$out" || true
echo "clang-tidy: $findings findings"
[ "$findings" -eq 0 ]
