// L-Mul matmuls on runtime operands through mmfree-cpu-pipeline (the vector
// kernel; operands holding inf/NaN take the exact per-product generic),
// compared bit for bit with lib/Numerics. Random bit patterns include
// zeros, subnormals, negatives, values near the largest finite and the
// smallest normal; ragged M, N, K; every matmul form; every format.
//
// RUN: %python %S/gen_lmul.py --format f32 --k 23 --m 2 --n 14 --depth 30 --form transposed-map --init zero --seed 1 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=23 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=F1
// F1: mmfree-check: PASS lmul_matmul f32 k=23 m=2 n=14 depth=30 bit-exact
// RUN: %python %S/gen_lmul.py --format f32 --k 7 --m 3 --n 27 --depth 59 --form transpose-op --init arg --seed 2 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=7 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=F2
// F2: mmfree-check: PASS lmul_matmul f32 k=7 m=3 n=27 depth=59 bit-exact
// RUN: %python %S/gen_lmul.py --format f32 --k 1 --m 4 --n 40 --depth 88 --form plain --init zero --seed 3 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=1 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=F3
// F3: mmfree-check: PASS lmul_matmul f32 k=1 m=4 n=40 depth=88 bit-exact
// RUN: %python %S/gen_lmul.py --format bf16 --k 7 --m 5 --n 53 --depth 20 --form transposed-map --init arg --seed 4 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=7 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=F4
// F4: mmfree-check: PASS lmul_matmul bf16 k=7 m=5 n=53 depth=20 bit-exact
// RUN: %python %S/gen_lmul.py --format bf16 --k 4 --m 1 --n 66 --depth 49 --form transpose-op --init zero --seed 5 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=4 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=F5
// F5: mmfree-check: PASS lmul_matmul bf16 k=4 m=1 n=66 depth=49 bit-exact
// RUN: %python %S/gen_lmul.py --format f16 --k 10 --m 2 --n 9 --depth 78 --form plain --init arg --seed 6 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=10 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=F6
// F6: mmfree-check: PASS lmul_matmul f16 k=10 m=2 n=9 depth=78 bit-exact
// RUN: %python %S/gen_lmul.py --format f16 --k 3 --m 3 --n 22 --depth 10 --form transposed-map --init zero --seed 7 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=3 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=F7
// F7: mmfree-check: PASS lmul_matmul f16 k=3 m=3 n=22 depth=10 bit-exact
// K blocks of 32 (an 8 KiB L1 in the target) instead of 128, ragged last one:
// RUN: %python %S/gen_lmul.py --format f32 --k 23 --m 5 --n 45 --depth 300 --form plain --init arg --seed 41 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=23 --mmfree-cpu-pipeline=target=generic,l1d=8K | %run_cpu | FileCheck %s --check-prefix=BLOCKS
// BLOCKS: mmfree-check: PASS lmul_matmul f32 k=23 m=5 n=45 depth=300 bit-exact
// RUN: %python %S/gen_lmul.py --format f8E4M3FN --k 3 --m 4 --n 35 --depth 39 --form transpose-op --init arg --seed 8 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=3 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=F8
// F8: mmfree-check: PASS lmul_matmul f8E4M3FN k=3 m=4 n=35 depth=39 bit-exact
// RUN: %python %S/gen_lmul.py --format f8E4M3FN --k 2 --m 5 --n 48 --depth 68 --form plain --init zero --seed 9 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=2 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=F9
// F9: mmfree-check: PASS lmul_matmul f8E4M3FN k=2 m=5 n=48 depth=68 bit-exact
// RUN: %python %S/gen_lmul.py --format f8E5M2 --k 2 --m 1 --n 61 --depth 97 --form transposed-map --init arg --seed 10 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=2 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=F10
// F10: mmfree-check: PASS lmul_matmul f8E5M2 k=2 m=1 n=61 depth=97 bit-exact
// RUN: %python %S/gen_lmul.py --format f8E5M2 --k 1 --m 2 --n 4 --depth 29 --form transpose-op --init zero --seed 11 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=1 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=F11
// F11: mmfree-check: PASS lmul_matmul f8E5M2 k=1 m=2 n=4 depth=29 bit-exact
//
// inf and NaN operands (the exact fallback), and the portable lowering.
// RUN: %python %S/gen_lmul.py --format f32 --k 23 --m 3 --n 20 --depth 17 --values specials --seed 12 | mmfree-opt --mmfree-matmul-to-lmul --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=S12
// S12: mmfree-check: PASS lmul_matmul f32 k=23 m=3 n=20 depth=17 bit-exact
// RUN: %python %S/gen_lmul.py --format f32 --k 23 --m 3 --n 20 --depth 17 --form transpose-op --seed 12 | mmfree-opt --mmfree-matmul-to-lmul --mmfree-lower-to-linalg --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=L12
// L12: mmfree-check: PASS lmul_matmul f32 k=23 m=3 n=20 depth=17 bit-exact
// RUN: %python %S/gen_lmul.py --format bf16 --k 7 --m 3 --n 20 --depth 17 --values specials --seed 13 | mmfree-opt --mmfree-matmul-to-lmul --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=S13
// S13: mmfree-check: PASS lmul_matmul bf16 k=7 m=3 n=20 depth=17 bit-exact
// RUN: %python %S/gen_lmul.py --format bf16 --k 7 --m 3 --n 20 --depth 17 --form transpose-op --seed 13 | mmfree-opt --mmfree-matmul-to-lmul --mmfree-lower-to-linalg --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=L13
// L13: mmfree-check: PASS lmul_matmul bf16 k=7 m=3 n=20 depth=17 bit-exact
// RUN: %python %S/gen_lmul.py --format f16 --k 10 --m 3 --n 20 --depth 17 --values specials --seed 14 | mmfree-opt --mmfree-matmul-to-lmul --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=S14
// S14: mmfree-check: PASS lmul_matmul f16 k=10 m=3 n=20 depth=17 bit-exact
// RUN: %python %S/gen_lmul.py --format f16 --k 10 --m 3 --n 20 --depth 17 --form transpose-op --seed 14 | mmfree-opt --mmfree-matmul-to-lmul --mmfree-lower-to-linalg --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=L14
// L14: mmfree-check: PASS lmul_matmul f16 k=10 m=3 n=20 depth=17 bit-exact
// RUN: %python %S/gen_lmul.py --format f8E4M3FN --k 3 --m 3 --n 20 --depth 17 --values specials --seed 15 | mmfree-opt --mmfree-matmul-to-lmul --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=S15
// S15: mmfree-check: PASS lmul_matmul f8E4M3FN k=3 m=3 n=20 depth=17 bit-exact
// RUN: %python %S/gen_lmul.py --format f8E4M3FN --k 3 --m 3 --n 20 --depth 17 --form transpose-op --seed 15 | mmfree-opt --mmfree-matmul-to-lmul --mmfree-lower-to-linalg --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=L15
// L15: mmfree-check: PASS lmul_matmul f8E4M3FN k=3 m=3 n=20 depth=17 bit-exact
// RUN: %python %S/gen_lmul.py --format f8E5M2 --k 2 --m 3 --n 20 --depth 17 --values specials --seed 16 | mmfree-opt --mmfree-matmul-to-lmul --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=S16
// S16: mmfree-check: PASS lmul_matmul f8E5M2 k=2 m=3 n=20 depth=17 bit-exact
// RUN: %python %S/gen_lmul.py --format f8E5M2 --k 2 --m 3 --n 20 --depth 17 --form transpose-op --seed 16 | mmfree-opt --mmfree-matmul-to-lmul --mmfree-lower-to-linalg --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=L16
// L16: mmfree-check: PASS lmul_matmul f8E5M2 k=2 m=3 n=20 depth=17 bit-exact
//
// A 256 x 256 x 256 bf16 case, and a mutation check: the wrong k fails.
// RUN: %python %S/gen_lmul.py --format bf16 --k 7 --m 256 --n 256 --depth 256 --seed 99 | mmfree-opt --mmfree-matmul-to-lmul --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=BIG
// BIG: mmfree-check: PASS lmul_matmul bf16 k=7 m=256 n=256 depth=256 bit-exact
// RUN: %python %S/gen_lmul.py --format f32 --k 23 --m 2 --n 16 --depth 8 --seed 5 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=22 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=NEG
// NEG: mmfree-check: FAIL
//
// Operands whose exponent ranges rule out overflow and underflow take the
// unchecked loop; zeros and subnormals still occur.
// RUN: %python %S/gen_lmul.py --format f32 --k 23 --m 6 --n 58 --depth 150 --values moderate --form transpose-op --init arg --seed 41 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=23 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=U41
// U41: mmfree-check: PASS lmul_matmul f32 k=23 m=6 n=58 depth=150 bit-exact (0 NaN outputs)
// RUN: %python %S/gen_lmul.py --format f32 --k 2 --m 1 --n 59 --depth 150 --values moderate --form transpose-op --init arg --seed 42 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=2 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=U42
// U42: mmfree-check: PASS lmul_matmul f32 k=2 m=1 n=59 depth=150 bit-exact (0 NaN outputs)
// RUN: %python %S/gen_lmul.py --format bf16 --k 7 --m 2 --n 60 --depth 150 --values moderate --form transpose-op --init arg --seed 43 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=7 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=U43
// U43: mmfree-check: PASS lmul_matmul bf16 k=7 m=2 n=60 depth=150 bit-exact (0 NaN outputs)
// RUN: %python %S/gen_lmul.py --format f16 --k 10 --m 3 --n 61 --depth 150 --values moderate --form transpose-op --init arg --seed 44 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=10 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=U44
// U44: mmfree-check: PASS lmul_matmul f16 k=10 m=3 n=61 depth=150 bit-exact (0 NaN outputs)
// RUN: %python %S/gen_lmul.py --format f16 --k 4 --m 4 --n 62 --depth 150 --values moderate --form transpose-op --init arg --seed 45 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=4 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=U45
// U45: mmfree-check: PASS lmul_matmul f16 k=4 m=4 n=62 depth=150 bit-exact (0 NaN outputs)
// RUN: %python %S/gen_lmul.py --format f8E4M3FN --k 3 --m 5 --n 63 --depth 150 --values moderate --form transpose-op --init arg --seed 46 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=3 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=U46
// U46: mmfree-check: PASS lmul_matmul f8E4M3FN k=3 m=5 n=63 depth=150 bit-exact (0 NaN outputs)
// RUN: %python %S/gen_lmul.py --format f8E5M2 --k 2 --m 6 --n 64 --depth 150 --values moderate --form transpose-op --init arg --seed 47 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=2 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=U47
// U47: mmfree-check: PASS lmul_matmul f8E5M2 k=2 m=6 n=64 depth=150 bit-exact (0 NaN outputs)
//
// Products that can underflow but (f32, bf16, f8E4M3FN) not overflow take the
// loop that only maps underflow to zero.
// RUN: %python %S/gen_lmul.py --format f32 --k 23 --m 2 --n 81 --depth 90 --values small --form transpose-op --seed 61 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=23 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=S61
// S61: mmfree-check: PASS lmul_matmul f32 k=23 m=2 n=81 depth=90 bit-exact
// RUN: %python %S/gen_lmul.py --format bf16 --k 7 --m 3 --n 82 --depth 90 --values small --form transpose-op --seed 62 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=7 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=S62
// S62: mmfree-check: PASS lmul_matmul bf16 k=7 m=3 n=82 depth=90 bit-exact
// RUN: %python %S/gen_lmul.py --format f16 --k 10 --m 4 --n 83 --depth 90 --values small --form transpose-op --seed 63 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=10 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=S63
// S63: mmfree-check: PASS lmul_matmul f16 k=10 m=4 n=83 depth=90 bit-exact
// RUN: %python %S/gen_lmul.py --format f8E4M3FN --k 3 --m 5 --n 84 --depth 90 --values small --form transpose-op --seed 64 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=3 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=S64
// S64: mmfree-check: PASS lmul_matmul f8E4M3FN k=3 m=5 n=84 depth=90 bit-exact
// RUN: %python %S/gen_lmul.py --format f8E5M2 --k 2 --m 1 --n 85 --depth 90 --values small --form transpose-op --seed 65 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=2 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=S65
// S65: mmfree-check: PASS lmul_matmul f8E5M2 k=2 m=1 n=85 depth=90 bit-exact
