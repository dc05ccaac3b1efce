// The plain f32 path of mmfree-cpu-pipeline (mmfree-vectorize-matmul), the
// baseline the demo and benchmarks time the rewrites against, checked
// against a double-precision matmul.
//
// RUN: %python %S/gen_ternary.py --m 8 --k 256 --n 64 --form transpose-op --check matmul | mmfree-opt --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=A
// A: mmfree-check: PASS m=8 n=64 k=256 mode=f32 matmul
// RUN: %python %S/gen_ternary.py --m 3 --k 100 --n 7 --init arg --check matmul --seed 2 | mmfree-opt --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=B
// B: mmfree-check: PASS m=3 n=7 k=100 mode=f32 matmul
// RUN: %python %S/gen_ternary.py --m 4 --k 48 --n 24 --form transposed-map --check matmul --seed 3 | mmfree-opt --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=C
// C: mmfree-check: PASS m=4 n=24 k=48 mode=f32 matmul
