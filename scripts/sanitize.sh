#!/usr/bin/env bash
# Builds mmfree-opt, mmfree-fuzz and the unit tests with AddressSanitizer and
# UndefinedBehaviorSanitizer in build-asan/, then runs the unit tests, the
# fuzz corpus, a time-boxed fuzz run (FUZZ_SECONDS, default 120) and the lit
# tests that only compile (Dialect, Codegen, Conversion). The execution and
# plugin tests load our libraries into uninstrumented processes (mlir-runner,
# stock mlir-opt) and run in the normal build only. Last, the execution
# tests with threads=2 kernels run under ThreadSanitizer: their modules are
# compiled ahead of time with the generated code instrumented
# (scripts/tsan-run.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
san="-fsanitize=address,undefined -fno-sanitize=vptr -fno-sanitize-recover=all -fno-omit-frame-pointer"
mkdir -p build-asan
cmake -G Ninja -S . -B build-asan \
  -DCMAKE_BUILD_TYPE=Release -DLLVM_ENABLE_ASSERTIONS=ON \
  -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
  -DCMAKE_C_FLAGS="$san" -DCMAKE_CXX_FLAGS="$san" \
  -DCMAKE_EXE_LINKER_FLAGS="-fuse-ld=lld $san" \
  -DCMAKE_SHARED_LINKER_FLAGS="-fuse-ld=lld $san" \
  -DCMAKE_MODULE_LINKER_FLAGS="-fuse-ld=lld $san" \
  -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
  > build-asan/configure.log 2>&1 || { cat build-asan/configure.log; exit 1; }
cmake --build build-asan -j2 --target mmfree-opt mmfree-fuzz MMFreeNumericsTests

# MLIR keeps its registries for the process lifetime (leaks by design).
# libMLIR.so is not instrumented: the container annotations and the manual
# poisoning of LLVM's allocators (inline in headers, so half in our
# instrumented code and half not) would report false positives.
export ASAN_OPTIONS=detect_leaks=0:detect_container_overflow=0:allow_user_poisoning=0:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
build-asan/bin/MMFreeNumericsTests --gtest_brief=1
build-asan/bin/mmfree-fuzz test/fuzz/corpus
mkdir -p build-asan/fuzz
log=build-asan/fuzz/log.txt
seed=${FUZZ_SEED:-$(date +%j)}
if ! build-asan/bin/mmfree-fuzz --seconds="${FUZZ_SECONDS:-120}" \
    --seed="$seed" --corpus=test/fuzz/corpus --save=build-asan/fuzz \
    2> "$log"; then
  grep -av "Pass-Options-Parser" "$log" | tail -60
  echo "mmfree-fuzz: finding with seed $seed; reproducer:" \
    "build-asan/fuzz/current.bin (mmfree-fuzz --print FILE)"
  exit 1
fi
/usr/lib/llvm-22/bin/lit -q build-asan/test --filter '(Dialect|Codegen|Conversion)/'
unset ASAN_OPTIONS UBSAN_OPTIONS
[ -x build/bin/mmfree-opt ] || bash scripts/build.sh
/usr/lib/llvm-22/bin/lit -q --param tsan=1 build/test --filter \
  'Integration/CPU/(lut|lut-shuffle|lut-sums|ternary-avx2-dots|ternary-avxvnni|ternary-int8|ternary-lookup|ternary-vnni)\.mlir'
