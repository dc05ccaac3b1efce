#!/usr/bin/env bash
# %run_cpu under ThreadSanitizer (lit --param tsan=1): the LLVM-dialect
# module on stdin is translated to LLVM IR, every function is marked
# sanitize_thread (IR from mlir-translate carries no sanitizer attributes),
# compiled with clang -fsanitize=thread for this CPU, linked with the
# libraries given as arguments, and run with OpenMP's Archer tool so that
# TSan knows the runtime's synchronization. A data race fails the run.
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bin=/usr/lib/llvm-22/bin
"$bin/mlir-translate" --mlir-to-llvmir > "$tmp/k.ll"
# @main returns void (as mlir-runner wants): called from a C main that
# returns 0, so that the exit status is TSan's.
sed -E -e 's/^(define .*\)( #[0-9]+)?) \{$/\1 sanitize_thread {/' \
  -e 's/^define void @main\(\)/define void @mmfree_main()/' \
  "$tmp/k.ll" > "$tmp/t.ll"
printf 'void mmfree_main(void);\nint main(void) { mmfree_main(); return 0; }\n' \
  > "$tmp/main.c"
libs=()
for lib in "$@"; do
  libs+=("$lib" "-Wl,-rpath,$(dirname "$lib")")
done
"$bin/clang" -fsanitize=thread -O2 -march=native -Wno-override-module \
  "$tmp/t.ll" "$tmp/main.c" -o "$tmp/k" "${libs[@]}"
TSAN_OPTIONS="halt_on_error=1 exitcode=66 ignore_noninstrumented_modules=1" \
  OMP_TOOL_LIBRARIES=/usr/lib/llvm-22/lib/libarcher.so "$tmp/k"
