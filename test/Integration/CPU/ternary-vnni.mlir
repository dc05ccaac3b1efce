// The AVX-512 VNNI kernel (weights as w + 1 bytes, vpdpbusd) against the
// reference: K from one block to 4096, rows in fours and alone, channel
// groups of 8 (one row) and 4 (four rows) with tails, interleaved constant
// weights (N a multiple of 8) and per-channel ones, i16 and i32
// accumulators.
// Compared bit for bit with lib/Numerics, like ternary-int8.mlir.
//
// REQUIRES: avx512vnni
// RUN: %python %S/gen_ternary.py --m 1 --k 5 --n 1 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline=target=x86-64-v4,+avx512vnni | %run_cpu | FileCheck %s --check-prefix=V1
// V1: mmfree-check: PASS m=1 n=1 k=5 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 1 --k 4096 --n 21 --seed 21 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline=target=x86-64-v4,+avx512vnni | %run_cpu | FileCheck %s --check-prefix=V2
// V2: mmfree-check: PASS m=1 n=21 k=4096 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 5 --k 130 --n 9 --form transpose-op --weights resource --init arg --seed 22 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline=target=x86-64-v4,+avx512vnni | %run_cpu | FileCheck %s --check-prefix=V3
// V3: mmfree-check: PASS m=5 n=9 k=130 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 7 --k 200 --n 17 --per-channel --seed 23 | mmfree-opt --mmfree-matmul-to-ternary=scale=per-channel --mmfree-cpu-pipeline=target=x86-64-v4,+avx512vnni | %run_cpu | FileCheck %s --check-prefix=V4
// V4: mmfree-check: PASS m=7 n=17 k=200 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 64 --k 16 --n 64 --seed 24 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline=target=x86-64-v4 | %run_cpu | FileCheck %s --check-prefix=V5
// V5: mmfree-check: PASS m=64 n=64 k=16 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 6 --k 256 --n 16 --seed 27 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline=target=x86-64-v4,+avx512vnni | %run_cpu | FileCheck %s --check-prefix=V8
// V8: mmfree-check: PASS m=6 n=16 k=256 mode=int8 bit-exact
//
// With two threads.
// RUN: %python %S/gen_ternary.py --m 5 --k 200 --n 64 --seed 25 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline="target=x86-64-v4,+avx512vnni threads=2" | %run_cpu | FileCheck %s --check-prefix=V6
// V6: mmfree-check: PASS m=5 n=64 k=200 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 1 --k 4096 --n 32 --seed 26 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline="target=x86-64-v4,+avx512vnni threads=2" | %run_cpu | FileCheck %s --check-prefix=V7
// V7: mmfree-check: PASS m=1 n=32 k=4096 mode=int8 bit-exact
