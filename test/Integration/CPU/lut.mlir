// MADDNESS through mmfree-cpu-pipeline under mlir-runner; the runtime re-learns
// the model from the same calibration rows and weights and compares every
// output bit (codes, integer sums or averages, rescale, init).
//
// RUN: %python %S/gen_lut.py --m 1 --k 64 --n 10 --codebooks 16 --npy %t-1.npy --seed 1 | mmfree-opt --mmfree-matmul-to-lut="calibration=%t-1.npy codebooks=16 accumulation=exact" --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=L1
// L1: mmfree-check: PASS lut m=1 n=10 k=64 codebooks=16 exact bit-exact
// RUN: %python %S/gen_lut.py --m 7 --k 64 --n 10 --codebooks 8 --npy %t-2.npy --seed 2 | mmfree-opt --mmfree-matmul-to-lut="calibration=%t-2.npy codebooks=8 accumulation=exact" --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=L2
// L2: mmfree-check: PASS lut m=7 n=10 k=64 codebooks=8 exact bit-exact
// RUN: %python %S/gen_lut.py --m 33 --k 100 --n 5 --codebooks 5 --form transpose-op --init arg --npy %t-3.npy --seed 3 | mmfree-opt --mmfree-matmul-to-lut="calibration=%t-3.npy codebooks=5 accumulation=exact" --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=L3
// L3: mmfree-check: PASS lut m=33 n=5 k=100 codebooks=5 exact bit-exact
// RUN: %python %S/gen_lut.py --m 64 --k 37 --n 1 --codebooks 3 --form transposed-map --npy %t-4.npy --seed 4 | mmfree-opt --mmfree-matmul-to-lut="calibration=%t-4.npy codebooks=3 accumulation=exact" --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=L4
// L4: mmfree-check: PASS lut m=64 n=1 k=37 codebooks=3 exact bit-exact
// RUN: %python %S/gen_lut.py --m 16 --k 48 --n 12 --codebooks 4 --accumulation average --form transposed-map --npy %t-5.npy --seed 5 | mmfree-opt --mmfree-matmul-to-lut="calibration=%t-5.npy codebooks=4 accumulation=average" --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=L5
// L5: mmfree-check: PASS lut m=16 n=12 k=48 codebooks=4 average bit-exact
// RUN: %python %S/gen_lut.py --m 9 --k 40 --n 3 --codebooks 5 --accumulation average --init arg --npy %t-6.npy --seed 6 | mmfree-opt --mmfree-matmul-to-lut="calibration=%t-6.npy codebooks=5 accumulation=average" --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=L6
// L6: mmfree-check: PASS lut m=9 n=3 k=40 codebooks=5 average bit-exact
// RUN: %python %S/gen_lut.py --m 100 --k 512 --n 10 --codebooks 16 --calib-rows 1000 --npy %t-7.npy --seed 7 | mmfree-opt --mmfree-matmul-to-lut="calibration=%t-7.npy codebooks=16 accumulation=exact" --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=L7
// L7: mmfree-check: PASS lut m=100 n=10 k=512 codebooks=16 exact bit-exact
//
// Column-major activations (encode reading only the split columns).
// RUN: %python %S/gen_lut.py --m 33 --k 100 --n 5 --codebooks 5 --a-layout column-major --init arg --npy %t-c1.npy --seed 13 > %t-c1.mlir
// RUN: mmfree-opt %t-c1.mlir --mmfree-matmul-to-lut="calibration=%t-c1.npy codebooks=5" --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=C1
// RUN: mmfree-opt %t-c1.mlir --mmfree-matmul-to-lut="calibration=%t-c1.npy codebooks=5" --mmfree-lower-to-linalg --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=C1
// C1: mmfree-check: PASS lut m=33 n=5 k=100 codebooks=5 exact bit-exact
// RUN: %python %S/gen_lut.py --m 100 --k 512 --n 10 --codebooks 16 --calib-rows 1000 --a-layout column-major --accumulation average --npy %t-c2.npy --seed 14 | mmfree-opt --mmfree-matmul-to-lut="calibration=%t-c2.npy codebooks=16 accumulation=average" --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=C2
// C2: mmfree-check: PASS lut m=100 n=10 k=512 codebooks=16 average bit-exact
// A dynamic row count keeps the column-major encode apart from the lookups
// (the fused kernels need static shapes): codes tensor, outputs in lanes.
// RUN: %python %S/gen_lut.py --m 150 --k 96 --n 20 --codebooks 7 --a-layout column-major --dynamic-rows --npy %t-c3.npy --seed 19 | mmfree-opt --mmfree-matmul-to-lut="calibration=%t-c3.npy codebooks=7" --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=C3
// C3: mmfree-check: PASS lut m=150 n=20 k=96 codebooks=7 exact bit-exact
