// The VNNI kernel with GFNI: runtime (per-channel) weights' codes decoded
// to w + 1 by one gf2p8affineqb per block and channel. K from 1 to 64
// blocks, channel groups with tails, i16 and i32 sums, per-channel
// scales. Per-channel layout: N not a multiple of 8 (constant weights) or
// K past the interleaved limit, as runtime weights always are.
// Compared bit for bit with lib/Numerics, like ternary-vnni.mlir.
//
// REQUIRES: avx512vnni, gfni
// RUN: %python %S/gen_ternary.py --m 1 --k 5 --n 1 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline=target=x86-64-v4,+avx512vnni,+gfni | %run_cpu | FileCheck %s --check-prefix=G1
// G1: mmfree-check: PASS m=1 n=1 k=5 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 1 --k 130 --n 9 --seed 31 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline=target=x86-64-v4,+avx512vnni,+gfni | %run_cpu | FileCheck %s --check-prefix=G2
// G2: mmfree-check: PASS m=1 n=9 k=130 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 1 --k 200 --n 17 --per-channel --seed 32 | mmfree-opt --mmfree-matmul-to-ternary=scale=per-channel --mmfree-cpu-pipeline=target=x86-64-v4,+avx512vnni,+gfni | %run_cpu | FileCheck %s --check-prefix=G3
// G3: mmfree-check: PASS m=1 n=17 k=200 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 1 --k 2600 --n 21 --seed 33 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline=target=x86-64-v4,+avx512vnni,+gfni | %run_cpu | FileCheck %s --check-prefix=G4
// G4: mmfree-check: PASS m=1 n=21 k=2600 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 1 --k 4096 --n 23 --weights resource --seed 34 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline=target=x86-64-v4,+avx512vnni,+gfni | %run_cpu | FileCheck %s --check-prefix=G5
// G5: mmfree-check: PASS m=1 n=23 k=4096 mode=int8 bit-exact
// Rows in fours and the single rows after them.
// RUN: %python %S/gen_ternary.py --m 7 --k 300 --n 13 --seed 35 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline=target=x86-64-v4,+avx512vnni,+gfni | %run_cpu | FileCheck %s --check-prefix=G6
// G6: mmfree-check: PASS m=7 n=13 k=300 mode=int8 bit-exact
