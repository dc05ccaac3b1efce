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

// Batch 1 (GEMV, K split into 16 lanes), on nn.Linear's weight layout.
// RUN: %python %S/gen_ternary.py --m 1 --k 256 --n 64 --form transpose-op --check matmul --seed 4 | mmfree-opt --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=D
// D: mmfree-check: PASS m=1 n=64 k=256 mode=f32 matmul
// RUN: %python %S/gen_ternary.py --m 1 --k 48 --n 40 --form transposed-map --init arg --check matmul --seed 5 | mmfree-opt --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=E
// E: mmfree-check: PASS m=1 n=40 k=48 mode=f32 matmul

// f16 weights widened before the product: read as f16 by the vector tiles
// (GEMV and batch 4), checked against the same values in double.
// RUN: %python %S/gen_ternary.py --m 1 --k 256 --n 64 --form transpose-op --weight-type f16 --check matmul --seed 6 | mmfree-opt --convert-elementwise-to-linalg --mmfree-vectorize-matmul=target=x86-64-v4 | FileCheck %s --check-prefix=F16IR
// F16IR: vector.transfer_read {{.*}} vector<8x16xf16>
// RUN: %python %S/gen_ternary.py --m 1 --k 256 --n 64 --form transpose-op --weight-type f16 --check matmul --seed 6 | mmfree-opt --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=F
// F: mmfree-check: PASS m=1 n=64 k=256 mode=f32 matmul
// RUN: %python %S/gen_ternary.py --m 4 --k 64 --n 32 --form transposed-map --weight-type f16 --check matmul --seed 7 | mmfree-opt --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=G
// G: mmfree-check: PASS m=4 n=32 k=64 mode=f32 matmul

// Two threads: the GEMV's rows in one scf.forall chunk per thread (OpenMP).
// RUN: %python %S/gen_ternary.py --m 1 --k 256 --n 64 --form transpose-op --weight-type f16 --check matmul --seed 8 | mmfree-opt --mmfree-cpu-pipeline="threads=2" | %run_cpu | FileCheck %s --check-prefix=H
// H: mmfree-check: PASS m=1 n=64 k=256 mode=f32 matmul
// RUN: %python %S/gen_ternary.py --m 1 --k 256 --n 64 --form transpose-op --weight-type f16 --check matmul --seed 8 | mmfree-opt --mmfree-cpu-pipeline="threads=2" | FileCheck %s --check-prefix=OMP
// OMP: omp.parallel
