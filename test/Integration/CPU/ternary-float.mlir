// Float activations: the sums are reordered f32 adds, checked against a
// double-precision reference within 2 K u sum|x| s (u = 2^-24).
//
// RUN: %python %S/gen_ternary.py --m 1 --k 5 --n 1 --float-activations | mmfree-opt --mmfree-matmul-to-ternary=activations=float --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=A
// A: mmfree-check: PASS m=1 n=1 k=5 mode=float
// RUN: %python %S/gen_ternary.py --m 2 --k 33 --n 8 --float-activations --per-channel --seed 3 | mmfree-opt --mmfree-matmul-to-ternary="activations=float scale=per-channel" --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=B
// B: mmfree-check: PASS m=2 n=8 k=33 mode=float
// RUN: %python %S/gen_ternary.py --m 4 --k 1030 --n 21 --float-activations --form transpose-op --weights resource --init arg --seed 4 | mmfree-opt --mmfree-matmul-to-ternary=activations=float --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=C
// C: mmfree-check: PASS m=4 n=21 k=1030 mode=float
// RUN: %python %S/gen_ternary.py --m 3 --k 200 --n 5 --float-activations --form transposed-map --seed 5 | mmfree-opt --mmfree-matmul-to-ternary=activations=float --mmfree-lower-to-linalg --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=L
// L: mmfree-check: PASS m=3 n=5 k=200 mode=float
