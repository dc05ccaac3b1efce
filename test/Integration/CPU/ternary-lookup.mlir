// The T-MAC-style ternary kernel (bit-plane tables of 4 activations, byte
// shuffles over 64 or 32 channel lanes), forced with ternary-kernel=lookup,
// compared bit for bit with lib/Numerics: K from one group to 4096, i16
// and i32 sums, per-tensor and per-channel scales, N a multiple of the
// lanes (other N fall back to the add/sub kernel, also checked).
//
// REQUIRES: avx512bw, avx2
// RUN: %python %S/gen_ternary.py --m 1 --k 5 --n 64 --seed 1 > %t-1.mlir
// RUN: mmfree-opt %t-1.mlir --mmfree-matmul-to-ternary --mmfree-cpu-pipeline="target=x86-64-v4 ternary-kernel=lookup" | %run_cpu | FileCheck %s --check-prefix=L1
// RUN: mmfree-opt %t-1.mlir --mmfree-matmul-to-ternary --mmfree-cpu-pipeline="target=x86-64-v3 ternary-kernel=lookup" | %run_cpu | FileCheck %s --check-prefix=L1
// L1: mmfree-check: PASS m=1 n=64 k=5 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 3 --k 100 --n 64 --seed 2 > %t-2.mlir
// RUN: mmfree-opt %t-2.mlir --mmfree-matmul-to-ternary --mmfree-cpu-pipeline="target=x86-64-v4 ternary-kernel=lookup" | %run_cpu | FileCheck %s --check-prefix=L2
// RUN: mmfree-opt %t-2.mlir --mmfree-matmul-to-ternary --mmfree-cpu-pipeline="target=x86-64-v3 ternary-kernel=lookup" | %run_cpu | FileCheck %s --check-prefix=L2
// L2: mmfree-check: PASS m=3 n=64 k=100 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 1 --k 4096 --n 128 --seed 3 > %t-3.mlir
// RUN: mmfree-opt %t-3.mlir --mmfree-matmul-to-ternary --mmfree-cpu-pipeline="target=x86-64-v4 ternary-kernel=lookup" | %run_cpu | FileCheck %s --check-prefix=L3
// RUN: mmfree-opt %t-3.mlir --mmfree-matmul-to-ternary --mmfree-cpu-pipeline="target=x86-64-v3 ternary-kernel=lookup" | %run_cpu | FileCheck %s --check-prefix=L3
// L3: mmfree-check: PASS m=1 n=128 k=4096 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 5 --k 300 --n 64 --form transpose-op --per-channel --seed 5 | mmfree-opt --mmfree-matmul-to-ternary=scale=per-channel --mmfree-cpu-pipeline="target=x86-64-v4 ternary-kernel=lookup" | %run_cpu | FileCheck %s --check-prefix=L4
// L4: mmfree-check: PASS m=5 n=64 k=300 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 2 --k 200 --n 32 --values scaled-ternary --seed 9 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline="target=x86-64-v3 ternary-kernel=lookup" | %run_cpu | FileCheck %s --check-prefix=L5
// L5: mmfree-check: PASS m=2 n=32 k=200 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 2 --k 200 --n 20 --seed 10 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline="target=x86-64-v4 ternary-kernel=lookup" | %run_cpu | FileCheck %s --check-prefix=L6
// L6: mmfree-check: PASS m=2 n=20 k=200 mode=int8 bit-exact
//
// With two threads (the channels split over an scf.parallel, OpenMP).
// RUN: %python %S/gen_ternary.py --m 5 --k 300 --n 256 --form transpose-op --seed 11 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline="target=x86-64-v4 ternary-kernel=lookup threads=2" | %run_cpu | FileCheck %s --check-prefix=T1
// T1: mmfree-check: PASS m=5 n=256 k=300 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 1 --k 4096 --n 64 --seed 12 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline="target=x86-64-v3 ternary-kernel=lookup threads=2" | %run_cpu | FileCheck %s --check-prefix=T2
// T2: mmfree-check: PASS m=1 n=64 k=4096 mode=int8 bit-exact
