// The benchmark end to end on small shapes, one round each: every suite
// compiles its strategies, times them against OpenBLAS and writes its table,
// JSON and plot (the timings themselves are not checked).
// RUN: mmfree-bench --suite ternary --shape 1x256x256 --shape 4x256x128 \
// RUN:   --repetitions 1 --json %t.json --plot %t.png | FileCheck %s --check-prefix=TERNARY
// RUN: FileCheck %s --check-prefix=JSON < %t.json
// RUN: test -s %t.png
// RUN: mmfree-bench --suite lut --shape 300x10x64 --repetitions 1 \
// RUN:   --huge-pages=false | FileCheck %s --check-prefix=LUT
// RUN: mmfree-bench --shape 32x48x64 --repetitions 1 | FileCheck %s --check-prefix=LMUL
// RUN: not mmfree-bench --suite nonesuch 2>&1 | FileCheck %s --check-prefix=BAD
// Ahead-of-time objects called cold, next to the warm JIT protocol:
// RUN: mmfree-bench --suite ternary --shape 4x256x128 --repetitions 1 \
// RUN:   --protocol both --json %t.both.json | FileCheck %s --check-prefix=BOTH
// RUN: FileCheck %s --check-prefix=BOTHJSON < %t.both.json
// RUN: mmfree-bench --suite lmul --shape 8x16x32 --repetitions 1 \
// RUN:   --protocol aot-cold | FileCheck %s --check-prefix=COLD
// RUN: not mmfree-bench --protocol lukewarm 2>&1 | FileCheck %s --check-prefix=BADPROTOCOL

// TERNARY: OpenBLAS kernels:
// TERNARY: 1x256x256 ternary int8 (1 thread)
// TERNARY: 1x256x256 OpenBLAS sgemv, 2 threads
// TERNARY: 1x256x256 ternary int8 (2 threads)
// TERNARY: 1x256x256 streamed read bandwidth: {{.*}} GB/s (1 thread), {{.*}} GB/s (2 threads) over {{.*}} weight copies ({{-?[0-9]+}} MB in 2 MB pages)
// TERNARY: 1x256x256 streamed ternary int8 (2 threads)
// TERNARY: 1x256x256 streamed bound: 2-bit weights / bandwidth
// TERNARY: 1x256x256 streamed bound, 2 threads
// TERNARY: 1x256x256 streamed ternary int8, same weights (1T) {{[0-9.]+}} - -
// TERNARY: 4x256x128 oneDNN kernels: {{.*}} (f32), {{.*}} (int8)
// TERNARY: 4x256x128 ternary int8 (1 thread)
// TERNARY: 4x256x128 OpenBLAS sgemm, 2 threads
// TERNARY: 4x256x128 oneDNN f32 matmul, 1 thread
// TERNARY: 4x256x128 oneDNN int8 matmul, 2 threads
// TERNARY-NOT: streamed

// JSON: "protocol": "jit-warm", "shape": "1x256x256", "strategy": "ternary int8 (1 thread)", "median_us":
// JSON: "shape": "4x256x128", "strategy": "ternary int8 (2 threads)", "median_us":

// LUT: 300x10x64 lut average, column-major A
// LUT: 300x10x64 lut average, col-major, 2 thr.
// LUT: 300x10x64 encode + lookup, u8 averages
// LUT: 300x10x64 OpenBLAS sgemm (2 threads)

// LMUL: 32x48x64 lmul bf16 k=7

// BAD: unknown --suite 'nonesuch'

// BOTH: protocol: jit-warm
// BOTH: 4x256x128 ternary int8 (1 thread)
// BOTH: protocol: aot-cold
// BOTH: 4x256x128 ternary int8 (1 thread)
// BOTH: 4x256x128 ternary int8 (2 threads)
// BOTHJSON: "protocol": "jit-warm", "shape": "4x256x128", "strategy": "ternary int8 (1 thread)"
// BOTHJSON: "protocol": "aot-cold", "shape": "4x256x128", "strategy": "ternary int8 (1 thread)"

// COLD: protocol: aot-cold
// COLD: 8x16x32 lmul f8E4M3FN k=3

// BADPROTOCOL: unknown --protocol 'lukewarm'
