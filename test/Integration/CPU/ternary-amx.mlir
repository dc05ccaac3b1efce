// The AMX tile kernel (weights decoded per 16-channel panel to signed
// bytes, two 16-row activation tiles per step, tdpbssd) against the
// reference, bit for bit like ternary-int8.mlir: K from one block to 4096
// and not a multiple of 64, i16 and i32 sums, constant weights in dense and
// i8-resource form, per-channel scales, and two threads (channel panels
// split) with the cost model's own choice on an AMX target.
//
// REQUIRES: amx
// RUN: %python %S/gen_ternary.py --m 32 --k 5 --n 32 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline="target=x86-64-v4,+amx-tile,+amx-int8 ternary-kernel=tiles" | %run_cpu | FileCheck %s --check-prefix=A1
// A1: mmfree-check: PASS m=32 n=32 k=5 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 64 --k 300 --n 64 --seed 3 --form transpose-op | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline="target=x86-64-v4,+amx-tile,+amx-int8 ternary-kernel=tiles" | %run_cpu | FileCheck %s --check-prefix=A2
// A2: mmfree-check: PASS m=64 n=64 k=300 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 32 --k 4096 --n 32 --seed 4 --weights i8-resource | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline="target=x86-64-v4,+amx-tile,+amx-int8 ternary-kernel=tiles" | %run_cpu | FileCheck %s --check-prefix=A3
// A3: mmfree-check: PASS m=32 n=32 k=4096 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 96 --k 1000 --n 64 --seed 5 --per-channel | mmfree-opt --mmfree-matmul-to-ternary=scale=per-channel --mmfree-cpu-pipeline="target=x86-64-v4,+amx-tile,+amx-int8 threads=2" | %run_cpu | FileCheck %s --check-prefix=A4
// A4: mmfree-check: PASS m=96 n=64 k=1000 mode=int8 bit-exact
