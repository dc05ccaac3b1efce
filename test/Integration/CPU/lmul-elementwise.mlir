// mmfree-mul-to-lmul on an elementwise product (as in attention scores):
// every arith.mulf becomes L-Mul; checked bit for bit, inf/NaN included.
//
// RUN: %python %S/gen_lmul.py --op mul --format f32 --k 23 --m 31 --n 67 --values specials --seed 1 | mmfree-opt --mmfree-mul-to-lmul=mantissa-bits=23 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=E1
// E1: mmfree-check: PASS lmul f32 k=23 2077 products bit-exact
// RUN: %python %S/gen_lmul.py --op mul --format f32 --k 5 --m 31 --n 67 --values specials --seed 2 | mmfree-opt --mmfree-mul-to-lmul=mantissa-bits=5 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=E2
// E2: mmfree-check: PASS lmul f32 k=5 2077 products bit-exact
// RUN: %python %S/gen_lmul.py --op mul --format bf16 --k 7 --m 31 --n 67 --values specials --seed 3 | mmfree-opt --mmfree-mul-to-lmul=mantissa-bits=7 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=E3
// E3: mmfree-check: PASS lmul bf16 k=7 2077 products bit-exact
// RUN: %python %S/gen_lmul.py --op mul --format bf16 --k 2 --m 31 --n 67 --values specials --seed 4 | mmfree-opt --mmfree-mul-to-lmul=mantissa-bits=2 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=E4
// E4: mmfree-check: PASS lmul bf16 k=2 2077 products bit-exact
// RUN: %python %S/gen_lmul.py --op mul --format f16 --k 10 --m 31 --n 67 --values specials --seed 5 | mmfree-opt --mmfree-mul-to-lmul=mantissa-bits=10 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=E5
// E5: mmfree-check: PASS lmul f16 k=10 2077 products bit-exact
// RUN: %python %S/gen_lmul.py --op mul --format f16 --k 4 --m 31 --n 67 --values specials --seed 6 | mmfree-opt --mmfree-mul-to-lmul=mantissa-bits=4 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=E6
// E6: mmfree-check: PASS lmul f16 k=4 2077 products bit-exact
// RUN: %python %S/gen_lmul.py --op mul --format f8E4M3FN --k 3 --m 31 --n 67 --values specials --seed 7 | mmfree-opt --mmfree-mul-to-lmul=mantissa-bits=3 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=E7
// E7: mmfree-check: PASS lmul f8E4M3FN k=3 2077 products bit-exact
// RUN: %python %S/gen_lmul.py --op mul --format f8E4M3FN --k 1 --m 31 --n 67 --values specials --seed 8 | mmfree-opt --mmfree-mul-to-lmul=mantissa-bits=1 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=E8
// E8: mmfree-check: PASS lmul f8E4M3FN k=1 2077 products bit-exact
// RUN: %python %S/gen_lmul.py --op mul --format f8E5M2 --k 2 --m 31 --n 67 --values specials --seed 9 | mmfree-opt --mmfree-mul-to-lmul=mantissa-bits=2 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=E9
// E9: mmfree-check: PASS lmul f8E5M2 k=2 2077 products bit-exact
// RUN: %python %S/gen_lmul.py --op mul --format f8E5M2 --k 1 --m 31 --n 67 --values specials --seed 10 | mmfree-opt --mmfree-mul-to-lmul=mantissa-bits=1 --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=E10
// E10: mmfree-check: PASS lmul f8E5M2 k=1 2077 products bit-exact
