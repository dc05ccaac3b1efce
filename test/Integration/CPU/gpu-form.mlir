// The GPU kernels of mmfree-gpu-tile in their host-executable form (the
// same scf.forall blocks, thread phases, tile sizes and per-thread work;
// staging buffers in the default memory space) run on the CPU through
// mmfree-cpu-pipeline and compared bit for bit with lib/Numerics. Only the
// upstream mapping of the foralls to gpu.launch is not executed here.
//
// Ternary (i8 activations): K from one 64-weight block (1 lane) to 64
// blocks (32 lanes, 2 blocks each), ragged N and M, several row tiles.
// RUN: %python %S/gen_ternary.py --m 1 --k 5 --n 1 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-gpu-tile=host-executable --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=T1
// T1: mmfree-check: PASS m=1 n=1 k=5 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 3 --k 100 --n 7 --seed 2 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-gpu-tile=host-executable --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=T2
// T2: mmfree-check: PASS m=3 n=7 k=100 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 19 --k 300 --n 70 --form transpose-op --weights i8-resource --per-channel --seed 3 | mmfree-opt --mmfree-matmul-to-ternary=scale=per-channel --mmfree-gpu-tile=host-executable --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=T3
// T3: mmfree-check: PASS m=19 n=70 k=300 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 2 --k 4096 --n 9 --form transposed-map --init arg --seed 4 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-gpu-tile=host-executable --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=T4
// T4: mmfree-check: PASS m=2 n=9 k=4096 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 9 --k 2000 --n 33 --values scaled-ternary --seed 5 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-gpu-tile=host-executable --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=T5
// T5: mmfree-check: PASS m=9 n=33 k=2000 mode=int8 bit-exact
//
// MADDNESS: encode and lookups, exact sums and averages, odd codebook
// counts, outputs below and above one 32-wide tile.
// RUN: %python %S/gen_lut.py --m 33 --k 100 --n 5 --codebooks 5 --form transpose-op --init arg --npy %t-1.npy --seed 1 | mmfree-opt --mmfree-matmul-to-lut="calibration=%t-1.npy codebooks=5 accumulation=exact" --mmfree-gpu-tile=host-executable --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=L1
// L1: mmfree-check: PASS lut m=33 n=5 k=100 codebooks=5 exact bit-exact
// RUN: %python %S/gen_lut.py --m 100 --k 512 --n 40 --codebooks 16 --calib-rows 1000 --npy %t-2.npy --seed 2 | mmfree-opt --mmfree-matmul-to-lut="calibration=%t-2.npy codebooks=16 accumulation=exact" --mmfree-gpu-tile=host-executable --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=L2
// L2: mmfree-check: PASS lut m=100 n=40 k=512 codebooks=16 exact bit-exact
// RUN: %python %S/gen_lut.py --m 9 --k 40 --n 3 --codebooks 5 --accumulation average --init arg --npy %t-3.npy --seed 3 | mmfree-opt --mmfree-matmul-to-lut="calibration=%t-3.npy codebooks=5 accumulation=average" --mmfree-gpu-tile=host-executable --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=L3
// L3: mmfree-check: PASS lut m=9 n=3 k=40 codebooks=5 average bit-exact
// RUN: %python %S/gen_lut.py --m 70 --k 48 --n 12 --codebooks 4 --accumulation average --form transposed-map --npy %t-4.npy --seed 4 | mmfree-opt --mmfree-matmul-to-lut="calibration=%t-4.npy codebooks=4 accumulation=average" --mmfree-gpu-tile=host-executable --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=L4
// L4: mmfree-check: PASS lut m=70 n=12 k=48 codebooks=4 average bit-exact
//
// L-Mul: every format, K within one 32-wide chunk and across several,
// zeros/subnormals/inf/NaN in the random bit patterns, both B layouts.
// RUN: %python %S/gen_lmul.py --format f32 --k 23 --m 2 --n 14 --depth 30 --form transposed-map --init zero --seed 1 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=23 --mmfree-gpu-tile=host-executable --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=M1
// M1: mmfree-check: PASS lmul_matmul f32 k=23 m=2 n=14 depth=30 bit-exact
// RUN: %python %S/gen_lmul.py --format f32 --k 7 --m 5 --n 40 --depth 100 --form plain --init arg --seed 2 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=7 --mmfree-gpu-tile=host-executable --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=M2
// M2: mmfree-check: PASS lmul_matmul f32 k=7 m=5 n=40 depth=100 bit-exact
// RUN: %python %S/gen_lmul.py --format bf16 --k 7 --m 5 --n 53 --depth 65 --form transpose-op --init arg --seed 3 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=7 --mmfree-gpu-tile=host-executable --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=M3
// M3: mmfree-check: PASS lmul_matmul bf16 k=7 m=5 n=53 depth=65 bit-exact
// RUN: %python %S/gen_lmul.py --format f16 --k 3 --m 3 --n 22 --depth 33 --form transposed-map --init zero --seed 4 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=3 --mmfree-gpu-tile=host-executable --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=M4
// M4: mmfree-check: PASS lmul_matmul f16 k=3 m=3 n=22 depth=33 bit-exact
// RUN: %python %S/gen_lmul.py --format f8E4M3FN --k 3 --m 4 --n 31 --depth 70 --form plain --init arg --seed 5 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=3 --mmfree-gpu-tile=host-executable --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=M5
// M5: mmfree-check: PASS lmul_matmul f8E4M3FN k=3 m=4 n=31 depth=70 bit-exact
// RUN: %python %S/gen_lmul.py --format f8E5M2 --k 2 --m 6 --n 9 --depth 40 --form transpose-op --init zero --seed 6 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=2 --mmfree-gpu-tile=host-executable --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=M6
// M6: mmfree-check: PASS lmul_matmul f8E5M2 k=2 m=6 n=9 depth=40 bit-exact
//
// The check can fail: per-channel weights checked as per-tensor.
// RUN: %python %S/gen_ternary.py --m 3 --k 100 --n 7 --seed 2 | mmfree-opt --mmfree-matmul-to-ternary=scale=per-channel --mmfree-gpu-tile=host-executable --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=NEG
// NEG: mmfree-check: FAIL at (0, 0)
//
// Column-major activations in the GPU encode kernel.
// RUN: %python %S/gen_lut.py --m 40 --k 64 --n 7 --codebooks 8 --a-layout column-major --npy %t-5.npy --seed 5 | mmfree-opt --mmfree-matmul-to-lut="calibration=%t-5.npy codebooks=8" --mmfree-gpu-tile=host-executable --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=L5
// L5: mmfree-check: PASS lut m=40 n=7 k=64 codebooks=8 exact bit-exact
