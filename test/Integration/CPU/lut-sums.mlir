// The MADDNESS kernels writing integer results (sums or byte averages, no
// rescale to fuse): fused column-major encode with the shuffle lookups
// (full blocks transposed through the stack scratch, a tail stored element
// by element, tiles of 256 rows, two threads), the shuffles on a codes
// tensor (row-major rows) and the loads kernel,
// compared line for line with mmfree-lower-to-linalg, whose loops lut.mlir
// checks bit for bit against lib/Numerics.
//
// REQUIRES: avx512bw, avx2
// RUN: %python %S/gen_lut_ops.py --m 600 --k 64 --n 12 --codebooks 5 --accumulation average --seed 31 > %t-a.mlir
// RUN: mmfree-opt %t-a.mlir --mmfree-lower-to-linalg --mmfree-cpu-pipeline | %run_print | tail -n +2 > %t-a.ref
// RUN: mmfree-opt %t-a.mlir --mmfree-cpu-pipeline=target=x86-64-v4 | %run_print | tail -n +2 | diff %t-a.ref -
// RUN: mmfree-opt %t-a.mlir --mmfree-cpu-pipeline="target=x86-64-v4 threads=2" | %run_print | tail -n +2 | diff %t-a.ref -
// RUN: mmfree-opt %t-a.mlir --mmfree-cpu-pipeline=target=x86-64-v3 | %run_print | tail -n +2 | diff %t-a.ref -
// RUN: mmfree-opt %t-a.mlir --mmfree-cpu-pipeline=target=generic | %run_print | tail -n +2 | diff %t-a.ref -
// RUN: %python %S/gen_lut_ops.py --m 200 --k 48 --n 20 --codebooks 7 --accumulation exact --seed 32 > %t-e.mlir
// RUN: mmfree-opt %t-e.mlir --mmfree-lower-to-linalg --mmfree-cpu-pipeline | %run_print | tail -n +2 > %t-e.ref
// RUN: mmfree-opt %t-e.mlir --mmfree-cpu-pipeline=target=x86-64-v4 | %run_print | tail -n +2 | diff %t-e.ref -
// RUN: mmfree-opt %t-e.mlir --mmfree-cpu-pipeline=target=x86-64-v3 | %run_print | tail -n +2 | diff %t-e.ref -
// Row-major rows: encode and lookups apart (codes tensor, transposed
// per block for the shuffles).
// RUN: %python %S/gen_lut_ops.py --m 200 --k 48 --n 20 --codebooks 7 --accumulation average --row-major --seed 34 > %t-r.mlir
// RUN: mmfree-opt %t-r.mlir --mmfree-lower-to-linalg --mmfree-cpu-pipeline | %run_print | tail -n +2 > %t-r.ref
// RUN: mmfree-opt %t-r.mlir --mmfree-cpu-pipeline=target=x86-64-v4 | %run_print | tail -n +2 | diff %t-r.ref -
// RUN: mmfree-opt %t-r.mlir --mmfree-cpu-pipeline=target=x86-64-v3 | %run_print | tail -n +2 | diff %t-r.ref -
// RUN: %python %S/gen_lut_ops.py --m 300 --k 64 --n 100 --codebooks 6 --accumulation average --seed 33 > %t-m.mlir
// RUN: mmfree-opt %t-m.mlir --mmfree-lower-to-linalg --mmfree-cpu-pipeline | %run_print | tail -n +2 > %t-m.ref
// RUN: mmfree-opt %t-m.mlir --mmfree-cpu-pipeline=target=x86-64-v4 | %run_print | tail -n +2 | diff %t-m.ref -
// RUN: mmfree-opt %t-m.mlir --mmfree-cpu-pipeline=target=x86-64-v3 | %run_print | tail -n +2 | diff %t-m.ref -
// The reference holds all 600 rows of 12 averages:
// RUN: FileCheck %s < %t-a.ref
// CHECK-COUNT-600: {{\[[0-9]+(, +[0-9]+){11}\]}}
// CHECK-NOT: [
