// The byte-shuffle lookups of mmfree-cpu-pipeline (rows in 64 or 32 lanes,
// vpshufb) against the portable loads, exact and average, compared bit for
// bit with lib/Numerics like lut.mlir.
//
// REQUIRES: avx512bw, avx2
// RUN: %python %S/gen_lut.py --m 70 --k 48 --n 12 --codebooks 4 --accumulation average --form transposed-map --npy %t-s1.npy --seed 11 > %t-s1.mlir
// RUN: mmfree-opt %t-s1.mlir --mmfree-matmul-to-lut="calibration=%t-s1.npy codebooks=4 accumulation=average" --mmfree-cpu-pipeline=target=x86-64-v4 | %run_cpu | FileCheck %s --check-prefix=S1
// RUN: mmfree-opt %t-s1.mlir --mmfree-matmul-to-lut="calibration=%t-s1.npy codebooks=4 accumulation=average" --mmfree-cpu-pipeline=target=x86-64-v3 | %run_cpu | FileCheck %s --check-prefix=S1
// RUN: mmfree-opt %t-s1.mlir --mmfree-matmul-to-lut="calibration=%t-s1.npy codebooks=4 accumulation=average" --mmfree-cpu-pipeline=target=generic | %run_cpu | FileCheck %s --check-prefix=S1
// S1: mmfree-check: PASS lut m=70 n=12 k=48 codebooks=4 average bit-exact
// RUN: %python %S/gen_lut.py --m 130 --k 100 --n 32 --codebooks 7 --init arg --npy %t-s2.npy --seed 12 > %t-s2.mlir
// RUN: mmfree-opt %t-s2.mlir --mmfree-matmul-to-lut="calibration=%t-s2.npy codebooks=7" --mmfree-cpu-pipeline=target=x86-64-v4 | %run_cpu | FileCheck %s --check-prefix=S2
// RUN: mmfree-opt %t-s2.mlir --mmfree-matmul-to-lut="calibration=%t-s2.npy codebooks=7" --mmfree-cpu-pipeline=target=x86-64-v3 | %run_cpu | FileCheck %s --check-prefix=S2
// S2: mmfree-check: PASS lut m=130 n=32 k=100 codebooks=7 exact bit-exact
//
// Column-major activations: the encode fused into the shuffle lookups
// (codes straight into byte vectors), full blocks and a tail, 64 and 32
// lanes; without shuffles or with more than 32 outputs, fused into the
// loads kernel through a codebook-major scratch.
// RUN: %python %S/gen_lut.py --m 150 --k 96 --n 20 --codebooks 7 --a-layout column-major --npy %t-f1.npy --seed 15 > %t-f1.mlir
// RUN: mmfree-opt %t-f1.mlir --mmfree-matmul-to-lut="calibration=%t-f1.npy codebooks=7" --mmfree-cpu-pipeline=target=x86-64-v4 | %run_cpu | FileCheck %s --check-prefix=F1
// RUN: mmfree-opt %t-f1.mlir --mmfree-matmul-to-lut="calibration=%t-f1.npy codebooks=7" --mmfree-cpu-pipeline=target=x86-64-v3 | %run_cpu | FileCheck %s --check-prefix=F1
// RUN: mmfree-opt %t-f1.mlir --mmfree-matmul-to-lut="calibration=%t-f1.npy codebooks=7" --mmfree-cpu-pipeline=target=generic | %run_cpu | FileCheck %s --check-prefix=F1
// F1: mmfree-check: PASS lut m=150 n=20 k=96 codebooks=7 exact bit-exact
// RUN: %python %S/gen_lut.py --m 200 --k 64 --n 3 --codebooks 3 --a-layout column-major --accumulation average --npy %t-f2.npy --seed 16 > %t-f2.mlir
// RUN: mmfree-opt %t-f2.mlir --mmfree-matmul-to-lut="calibration=%t-f2.npy codebooks=3 accumulation=average" --mmfree-cpu-pipeline=target=x86-64-v4 | %run_cpu | FileCheck %s --check-prefix=F2
// RUN: mmfree-opt %t-f2.mlir --mmfree-matmul-to-lut="calibration=%t-f2.npy codebooks=3 accumulation=average" --mmfree-cpu-pipeline=target=x86-64-v3 | %run_cpu | FileCheck %s --check-prefix=F2
// RUN: mmfree-opt %t-f2.mlir --mmfree-matmul-to-lut="calibration=%t-f2.npy codebooks=3 accumulation=average" --mmfree-cpu-pipeline=target=generic | %run_cpu | FileCheck %s --check-prefix=F2
// F2: mmfree-check: PASS lut m=200 n=3 k=64 codebooks=3 average bit-exact
// RUN: %python %S/gen_lut.py --m 70 --k 64 --n 40 --codebooks 4 --a-layout column-major --npy %t-f3.npy --seed 17 | mmfree-opt --mmfree-matmul-to-lut="calibration=%t-f3.npy codebooks=4" --mmfree-cpu-pipeline=target=x86-64-v4 | %run_cpu | FileCheck %s --check-prefix=F3
// F3: mmfree-check: PASS lut m=70 n=40 k=64 codebooks=4 exact bit-exact
// More outputs than lanes: 100 outputs in 64 + 64 (AVX-512BW) or 3 x 32 +
// 16 lanes (AVX2), fused and unfused (row-major A), exact and average.
// RUN: %python %S/gen_lut.py --m 150 --k 64 --n 100 --codebooks 6 --a-layout column-major --npy %t-f5.npy --seed 19 > %t-f5.mlir
// RUN: mmfree-opt %t-f5.mlir --mmfree-matmul-to-lut="calibration=%t-f5.npy codebooks=6" --mmfree-cpu-pipeline=target=x86-64-v4 | %run_cpu | FileCheck %s --check-prefix=F5
// RUN: mmfree-opt %t-f5.mlir --mmfree-matmul-to-lut="calibration=%t-f5.npy codebooks=6" --mmfree-cpu-pipeline=target=x86-64-v3 | %run_cpu | FileCheck %s --check-prefix=F5
// F5: mmfree-check: PASS lut m=150 n=100 k=64 codebooks=6 exact bit-exact
// RUN: %python %S/gen_lut.py --m 90 --k 64 --n 100 --codebooks 5 --accumulation average --npy %t-s3.npy --seed 20 > %t-s3.mlir
// RUN: mmfree-opt %t-s3.mlir --mmfree-matmul-to-lut="calibration=%t-s3.npy codebooks=5 accumulation=average" --mmfree-cpu-pipeline=target=x86-64-v4 | %run_cpu | FileCheck %s --check-prefix=S3
// RUN: mmfree-opt %t-s3.mlir --mmfree-matmul-to-lut="calibration=%t-s3.npy codebooks=5 accumulation=average" --mmfree-cpu-pipeline=target=x86-64-v3 | %run_cpu | FileCheck %s --check-prefix=S3
// S3: mmfree-check: PASS lut m=90 n=100 k=64 codebooks=5 average bit-exact
// Fused encodes run in tiles of 256 rows: two full tiles and a tail of 88,
// one and two threads; 100 averaged outputs through pair tables, 10
// outputs through the shuffles.
// RUN: %python %S/gen_lut.py --m 600 --k 64 --n 100 --codebooks 5 --a-layout column-major --accumulation average --npy %t-t1.npy --seed 21 > %t-t1.mlir
// RUN: mmfree-opt %t-t1.mlir --mmfree-matmul-to-lut="calibration=%t-t1.npy codebooks=5 accumulation=average" --mmfree-cpu-pipeline=target=x86-64-v4 | %run_cpu | FileCheck %s --check-prefix=T1
// RUN: mmfree-opt %t-t1.mlir --mmfree-matmul-to-lut="calibration=%t-t1.npy codebooks=5 accumulation=average" --mmfree-cpu-pipeline="target=x86-64-v4 threads=2" | %run_cpu | FileCheck %s --check-prefix=T1
// RUN: mmfree-opt %t-t1.mlir --mmfree-matmul-to-lut="calibration=%t-t1.npy codebooks=5 accumulation=average" --mmfree-cpu-pipeline=target=x86-64-v3 | %run_cpu | FileCheck %s --check-prefix=T1
// RUN: mmfree-opt %t-t1.mlir --mmfree-matmul-to-lut="calibration=%t-t1.npy codebooks=5 accumulation=average" --mmfree-cpu-pipeline=target=generic | %run_cpu | FileCheck %s --check-prefix=T1
// T1: mmfree-check: PASS lut m=600 n=100 k=64 codebooks=5 average bit-exact
// RUN: %python %S/gen_lut.py --m 600 --k 64 --n 10 --codebooks 6 --a-layout column-major --accumulation average --npy %t-t2.npy --seed 22 > %t-t2.mlir
// RUN: mmfree-opt %t-t2.mlir --mmfree-matmul-to-lut="calibration=%t-t2.npy codebooks=6 accumulation=average" --mmfree-cpu-pipeline=target=x86-64-v4 | %run_cpu | FileCheck %s --check-prefix=T2
// RUN: mmfree-opt %t-t2.mlir --mmfree-matmul-to-lut="calibration=%t-t2.npy codebooks=6 accumulation=average" --mmfree-cpu-pipeline="target=x86-64-v4 threads=2" | %run_cpu | FileCheck %s --check-prefix=T2
// RUN: mmfree-opt %t-t2.mlir --mmfree-matmul-to-lut="calibration=%t-t2.npy codebooks=6 accumulation=average" --mmfree-cpu-pipeline=target=x86-64-v3 | %run_cpu | FileCheck %s --check-prefix=T2
// T2: mmfree-check: PASS lut m=600 n=10 k=64 codebooks=6 average bit-exact
// Integer results (the rescale accumulates into its init, so the kernel
// writes the byte averages): full blocks transposed through the scratch.
// RUN: %python %S/gen_lut.py --m 200 --k 64 --n 12 --codebooks 5 --a-layout column-major --accumulation average --init arg --npy %t-t3.npy --seed 23 > %t-t3.mlir
// RUN: mmfree-opt %t-t3.mlir --mmfree-matmul-to-lut="calibration=%t-t3.npy codebooks=5 accumulation=average" --mmfree-cpu-pipeline=target=x86-64-v4 | %run_cpu | FileCheck %s --check-prefix=T3
// RUN: mmfree-opt %t-t3.mlir --mmfree-matmul-to-lut="calibration=%t-t3.npy codebooks=5 accumulation=average" --mmfree-cpu-pipeline=target=x86-64-v3 | %run_cpu | FileCheck %s --check-prefix=T3
// T3: mmfree-check: PASS lut m=200 n=12 k=64 codebooks=5 average bit-exact
//
// With two threads (row blocks split under an scf.parallel, a scratch per
// thread, the tail on the calling thread).
// RUN: mmfree-opt %t-f1.mlir --mmfree-matmul-to-lut="calibration=%t-f1.npy codebooks=7" --mmfree-cpu-pipeline="target=x86-64-v4 threads=2" | %run_cpu | FileCheck %s --check-prefix=F1
// RUN: %python %S/gen_lut.py --m 333 --k 64 --n 40 --codebooks 5 --a-layout column-major --accumulation average --npy %t-f4.npy --seed 18 | mmfree-opt --mmfree-matmul-to-lut="calibration=%t-f4.npy codebooks=5 accumulation=average" --mmfree-cpu-pipeline="target=x86-64-v4 threads=2" | %run_cpu | FileCheck %s --check-prefix=F4
// F4: mmfree-check: PASS lut m=333 n=40 k=64 codebooks=5 average bit-exact
// RUN: mmfree-opt %t-s2.mlir --mmfree-matmul-to-lut="calibration=%t-s2.npy codebooks=7" --mmfree-cpu-pipeline="target=x86-64-v3 threads=2" | %run_cpu | FileCheck %s --check-prefix=S2
