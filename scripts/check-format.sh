#!/usr/bin/env bash
# Fails when a tracked C++ file differs from clang-format-22's output (the
# LLVM style of .clang-format), naming the files.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=()
while IFS= read -r f; do
  clang-format-22 --dry-run -Werror "$f" > /dev/null 2>&1 || bad+=("$f")
done < <(git ls-files '*.cpp' '*.h')
if [ ${#bad[@]} -ne 0 ]; then
  echo "clang-format-22 would change: ${bad[*]}" >&2
  echo "run: clang-format-22 -i ${bad[*]}" >&2
  exit 1
fi
