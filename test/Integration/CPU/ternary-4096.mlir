// A 4096 x 4096 layer (torch-mlir nn.Linear form, i8 ternary weights in a
// dense_resource blob), GEMV and a batch of 8, bit-exact against lib/Numerics.
//
// RUN: %python %S/gen_ternary.py --m 1 --k 4096 --n 4096 --form transpose-op --weights i8-resource --seed 11 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=GEMV
// GEMV: mmfree-check: PASS m=1 n=4096 k=4096 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 8 --k 4096 --n 4096 --form transpose-op --weights i8-resource --init arg --per-channel --seed 12 | mmfree-opt --mmfree-matmul-to-ternary=scale=per-channel --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=GEMM
// GEMM: mmfree-check: PASS m=8 n=4096 k=4096 mode=int8 bit-exact
