// The AVX-VNNI form of the dot kernel (32-byte vpdpbusd, a block in two
// halves, rows in pairs) against lib/Numerics, bit for bit: K from one block
// to 4096, tails of rows and channels, interleaved constant weights (N a
// multiple of 8) and per-channel ones, i16 and i32 accumulators, threads.
//
// REQUIRES: avxvnni, avx2
// RUN: %python %S/gen_ternary.py --m 1 --k 5 --n 1 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline=target=x86-64-v3,+avxvnni | %run_cpu | FileCheck %s --check-prefix=A1
// A1: mmfree-check: PASS m=1 n=1 k=5 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 1 --k 4096 --n 21 --seed 31 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline=target=x86-64-v3,+avxvnni | %run_cpu | FileCheck %s --check-prefix=A2
// A2: mmfree-check: PASS m=1 n=21 k=4096 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 5 --k 130 --n 9 --form transpose-op --weights resource --init arg --seed 32 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline=target=x86-64-v3,+avxvnni | %run_cpu | FileCheck %s --check-prefix=A3
// A3: mmfree-check: PASS m=5 n=9 k=130 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 7 --k 256 --n 16 --per-channel --seed 33 | mmfree-opt --mmfree-matmul-to-ternary=scale=per-channel --mmfree-cpu-pipeline=target=x86-64-v3,+avxvnni | %run_cpu | FileCheck %s --check-prefix=A4
// A4: mmfree-check: PASS m=7 n=16 k=256 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 1 --k 4096 --n 32 --seed 34 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline="target=x86-64-v3,+avxvnni threads=2" | %run_cpu | FileCheck %s --check-prefix=A5
// A5: mmfree-check: PASS m=1 n=32 k=4096 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 5 --k 200 --n 64 --seed 35 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline="target=x86-64-v3,+avxvnni threads=2" | %run_cpu | FileCheck %s --check-prefix=A6
// A6: mmfree-check: PASS m=5 n=64 k=200 mode=int8 bit-exact
