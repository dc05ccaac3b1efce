// The plain-AVX2 form of the dot kernel (no VNNI: vpmaddubsw byte pairs
// into i16, a block's halves summed in i16, vpmaddwd into i32) against
// lib/Numerics, bit for bit: K from one block to 4096, tails of rows and
// channels, interleaved constant weights and per-channel ones, i16 and i32
// accumulators, threads. Forced: for constant weights the cost model picks
// lookups on AVX2.
//
// REQUIRES: avx2
// RUN: %python %S/gen_ternary.py --m 1 --k 5 --n 1 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline="target=x86-64-v3 ternary-kernel=dots" | %run_cpu | FileCheck %s --check-prefix=A1
// A1: mmfree-check: PASS m=1 n=1 k=5 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 1 --k 4096 --n 21 --seed 41 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline="target=x86-64-v3 ternary-kernel=dots" | %run_cpu | FileCheck %s --check-prefix=A2
// A2: mmfree-check: PASS m=1 n=21 k=4096 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 5 --k 130 --n 9 --form transpose-op --weights resource --init arg --seed 42 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline="target=x86-64-v3 ternary-kernel=dots" | %run_cpu | FileCheck %s --check-prefix=A3
// A3: mmfree-check: PASS m=5 n=9 k=130 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 7 --k 256 --n 16 --per-channel --seed 43 | mmfree-opt --mmfree-matmul-to-ternary=scale=per-channel --mmfree-cpu-pipeline="target=x86-64-v3 ternary-kernel=dots" | %run_cpu | FileCheck %s --check-prefix=A4
// A4: mmfree-check: PASS m=7 n=16 k=256 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 1 --k 4096 --n 32 --seed 44 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline="target=x86-64-v3 ternary-kernel=dots threads=2" | %run_cpu | FileCheck %s --check-prefix=A5
// A5: mmfree-check: PASS m=1 n=32 k=4096 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 5 --k 200 --n 64 --seed 45 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline="target=x86-64-v3 ternary-kernel=dots threads=2" | %run_cpu | FileCheck %s --check-prefix=A6
// A6: mmfree-check: PASS m=5 n=64 k=200 mode=int8 bit-exact
