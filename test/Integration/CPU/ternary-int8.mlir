// Int8 activations, executed through mlir-runner and compared bit for bit
// with lib/Numerics (mmfreeCheckTernary*). Shapes cover M = 1, N = 1, K not
// a multiple of 4, 16, 32 or 64, all weight forms and storage kinds, both
// lowerings of the contraction (vector kernel, portable linalg).
//
// RUN: %python %S/gen_ternary.py --m 1 --k 5 --n 1 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=A
// A: mmfree-check: PASS m=1 n=1 k=5 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 3 --k 100 --n 7 --seed 2 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=B
// B: mmfree-check: PASS m=3 n=7 k=100 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 2 --k 33 --n 12 --form transposed-map --seed 3 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=C
// C: mmfree-check: PASS m=2 n=12 k=33 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 5 --k 130 --n 9 --form transpose-op --weights resource --init arg --seed 4 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=D
// D: mmfree-check: PASS m=5 n=9 k=130 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 4 --k 300 --n 13 --form transpose-op --weights i8-resource --seed 5 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=E
// E: mmfree-check: PASS m=4 n=13 k=300 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 7 --k 1000 --n 17 --per-channel --seed 6 | mmfree-opt --mmfree-matmul-to-ternary=scale=per-channel --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=F
// F: mmfree-check: PASS m=7 n=17 k=1000 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 2 --k 77 --n 6 --values scaled-ternary --form transposed-map --init arg --seed 7 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=G
// G: mmfree-check: PASS m=2 n=6 k=77 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 64 --k 16 --n 64 --seed 8 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=H
// H: mmfree-check: PASS m=64 n=64 k=16 mode=int8 bit-exact
//
// The add/sub select kernel forced (no dot products, no lookups), with the
// activation quantization fused into its row groups; one and two threads.
// RUN: %python %S/gen_ternary.py --m 5 --k 130 --n 9 --seed 10 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline=target=generic | %run_cpu | FileCheck %s --check-prefix=S
// S: mmfree-check: PASS m=5 n=9 k=130 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 6 --k 200 --n 32 --seed 11 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline="target=generic threads=2" | %run_cpu | FileCheck %s --check-prefix=T
// T: mmfree-check: PASS m=6 n=32 k=200 mode=int8 bit-exact
//
// The portable lowering, run through the same pipeline.
// RUN: %python %S/gen_ternary.py --m 3 --k 129 --n 10 --form transpose-op --init arg --per-channel --seed 9 | mmfree-opt --mmfree-matmul-to-ternary=scale=per-channel --mmfree-lower-to-linalg --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=L
// L: mmfree-check: PASS m=3 n=10 k=129 mode=int8 bit-exact
//
// The check itself can fail: per-channel weights checked as per-tensor.
// RUN: %python %S/gen_ternary.py --m 3 --k 100 --n 7 --seed 2 | mmfree-opt --mmfree-matmul-to-ternary=scale=per-channel --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=NEG
// NEG: mmfree-check: FAIL at (0, 0)
//
// Two threads (channels in two chunks, scf.parallel -> OpenMP), the add/sub
// kernel; ternary-vnni.mlir has the VNNI kernel with threads.
// RUN: %python %S/gen_ternary.py --m 9 --k 300 --n 48 --form transpose-op --seed 31 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline="target=generic threads=2" | %run_cpu | FileCheck %s --check-prefix=P1
// P1: mmfree-check: PASS m=9 n=48 k=300 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 1 --k 4096 --n 64 --seed 32 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline="target=generic threads=2" | %run_cpu | FileCheck %s --check-prefix=P2
// P2: mmfree-check: PASS m=1 n=64 k=4096 mode=int8 bit-exact
