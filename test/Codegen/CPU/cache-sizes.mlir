// The target's cache sizes size the blocks that must stay in a cache; the
// output depends on the sizes named, not on the machine compiling.
// RUN: mmfree-opt %s -split-input-file --mmfree-select-kernels=target=x86-64-v4 --mmfree-lower-to-vector | FileCheck %s --check-prefix=DEFAULT
// RUN: mmfree-opt %s -split-input-file --mmfree-select-kernels=target=x86-64-v4,l1d=48K,l2=2M --mmfree-lower-to-vector | FileCheck %s --check-prefix=SPR
// RUN: mmfree-opt %s -split-input-file --mmfree-select-kernels=target=x86-64-v4,l1d=8K,l2=32K --mmfree-lower-to-vector | FileCheck %s --check-prefix=SMALL
// RUN: mmfree-opt %s -split-input-file --mmfree-select-kernels=target=x86-64-v4 | FileCheck %s --check-prefix=ATTR
// RUN: mmfree-opt %s -split-input-file --mmfree-select-kernels=target=x86-64-v4,l1d=48K,l2=2M | FileCheck %s --check-prefix=ATTR-SPR
// RUN: mmfree-opt %s -split-input-file --mmfree-select-kernels=target=x86-64-v4,l1d=8K,l2=32K | FileCheck %s --check-prefix=ATTR-SMALL
// RUN: echo "module {}" | not mmfree-opt --mmfree-select-kernels=target=x86-64,l2=2X 2>&1 | FileCheck %s --check-prefix=SUFFIX
// RUN: echo "module {}" | not mmfree-opt --mmfree-select-kernels=target=x86-64,l1d=512 2>&1 | FileCheck %s --check-prefix=TINY
// RUN: echo "module {}" | not mmfree-opt --mmfree-select-kernels=target=x86-64,l2=2G 2>&1 | FileCheck %s --check-prefix=HUGE
// RUN: echo "module {}" | not mmfree-opt --mmfree-select-kernels=target=x86-64,l2=99999999999999999999K 2>&1 | FileCheck %s --check-prefix=HUGE

// SUFFIX: error: mmfree-select-kernels: bad cache size 'l2=2X' in target 'x86-64,l2=2X': expected bytes in [1024, 1073741824], optionally with a K, M or G suffix
// TINY: error: mmfree-select-kernels: bad cache size 'l1d=512'
// HUGE: error: mmfree-select-kernels: bad cache size 'l2=

// ATTR: module attributes {mmfree.target = #mmfree.cpu_target<arch = "x86_64", features = "{{[^"]*}}">}
// ATTR-SPR: module attributes {mmfree.target = #mmfree.cpu_target<arch = "x86_64", features = "{{[^"]*}}", l1d = 49152, l2 = 2097152>}
// ATTR-SMALL: module attributes {mmfree.target = #mmfree.cpu_target<arch = "x86_64", features = "{{[^"]*}}", l1d = 8192, l2 = 32768>}

// L-Mul: the B tables of a 32-column tile for a block of k fill half the
// L1: 128 k with 32 KiB (the default) and 48 KiB, 32 k with 8 KiB.
// DEFAULT-LABEL: func @lmul_blocks
// DEFAULT: scf.for {{.*}} = %c0 to %c512 step %c128
// SPR-LABEL: func @lmul_blocks
// SPR: scf.for {{.*}} = %c0 to %c512 step %c128
// SMALL-LABEL: func @lmul_blocks
// SMALL: scf.for {{.*}} = %c0 to %c512 step %c32
func.func @lmul_blocks(%a: tensor<4x512xf32>, %b: tensor<512x32xf32>, %c: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %0 = mmfree.lmul_matmul %a, %b, %c {mantissa_bits = 23 : i64} : tensor<4x512xf32>, tensor<512x32xf32>, tensor<4x32xf32> -> tensor<4x32xf32>
  return %0 : tensor<4x32xf32>
}

// -----

// MADDNESS averages with constant tables: pair tables (here 2 x 256 rows of
// 64 bytes, 32 KiB) are used while they take at most half the L2.
// DEFAULT-LABEL: func @pair_tables
// DEFAULT: arith.constant dense<{{.*}}> : tensor<32768xi8>
// DEFAULT: memref.alloca() {alignment = 64 : i64} : memref<2x256xi32>
// SPR-LABEL: func @pair_tables
// SPR: memref.alloca() {alignment = 64 : i64} : memref<2x256xi32>
// SMALL-LABEL: func @pair_tables
// SMALL-NOT: tensor<32768xi8>
// SMALL: memref.alloca() {alignment = 64 : i64} : memref<3x256xi32>
func.func @pair_tables(%at: tensor<8x100xf32>) -> tensor<100x40xi8> {
  %dims = arith.constant dense<[[0, 1, 2, 3], [4, 5, 6, 7], [0, 2, 4, 6]]> : tensor<3x4xi32>
  %thr = arith.constant dense<0.5> : tensor<3x15xf32>
  %t = arith.constant dense<7> : tensor<3x16x40xi8>
  %codes = mmfree.lut_encode %at, %dims, %thr {transpose_input}
      : tensor<8x100xf32>, tensor<3x4xi32>, tensor<3x15xf32> -> tensor<100x3xi8>
  %s = mmfree.lut_matmul %codes, %t {accumulation = #mmfree<lut_accumulation average>}
      : tensor<100x3xi8>, tensor<3x16x40xi8> -> tensor<100x40xi8>
  return %s : tensor<100x40xi8>
}
