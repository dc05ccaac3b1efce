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

// TERNARY: OpenBLAS kernels:
// TERNARY: 1x256x256 ternary int8 (1 thread)
// TERNARY: 1x256x256 OpenBLAS sgemv, 2 threads
// TERNARY: 1x256x256 ternary int8 (2 threads)
// TERNARY: 1x256x256 streamed read bandwidth, 1 thread: {{.*}} weight copies ({{-?[0-9]+}} MB in 2 MB pages)
// TERNARY: 1x256x256 streamed ternary int8 (2 threads)
// TERNARY: 1x256x256 streamed bound: 2-bit weights / bandwidth
// TERNARY: 4x256x128 ternary int8 (1 thread)
// TERNARY: 4x256x128 OpenBLAS sgemm, 2 threads
// TERNARY-NOT: streamed

// JSON: "shape": "1x256x256", "strategy": "ternary int8 (1 thread)", "median_us":
// JSON: "shape": "4x256x128", "strategy": "ternary int8 (2 threads)", "median_us":

// LUT: 300x10x64 lut average, column-major A
// LUT: 300x10x64 lut average, col-major, 2 thr.
// LUT: 300x10x64 encode + lookup, u8 averages
// LUT: 300x10x64 OpenBLAS sgemm (2 threads)

// LMUL: 32x48x64 lmul bf16 k=7

// BAD: unknown --suite 'nonesuch'
