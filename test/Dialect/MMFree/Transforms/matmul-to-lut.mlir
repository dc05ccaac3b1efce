// RUN: %python -c "import numpy as np; np.save('%t.npy', np.random.default_rng(0).standard_normal((256, 12)).astype(np.float32))"
// RUN: %python -c "import numpy as np; np.save('%t-f64.npy', np.random.default_rng(0).standard_normal((64, 12)))"
// RUN: %python -c "import numpy as np; np.save('%t-3d.npy', np.zeros((2, 3, 4), np.float32))"
// RUN: %python -c "import numpy as np; np.save('%t-int.npy', np.zeros((4, 12), np.int32))"
// RUN: printf 'not numpy' > %t-bad.npy
// RUN: mmfree-opt %s -split-input-file --mmfree-matmul-to-lut="calibration=%t.npy codebooks=3" -verify-diagnostics | FileCheck %s
// RUN: mmfree-opt %s -split-input-file --mmfree-matmul-to-lut="calibration=%t-f64.npy codebooks=4 accumulation=average" -verify-diagnostics | FileCheck %s --check-prefix=AVG
// RUN: not mmfree-opt %s --mmfree-matmul-to-lut 2>&1 | FileCheck %s --check-prefix=NOCAL
// RUN: not mmfree-opt %s --mmfree-matmul-to-lut=calibration=%t-missing.npy 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not mmfree-opt %s --mmfree-matmul-to-lut=calibration=%t-bad.npy 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not mmfree-opt %s --mmfree-matmul-to-lut=calibration=%t-3d.npy 2>&1 | FileCheck %s --check-prefix=RANK
// RUN: not mmfree-opt %s --mmfree-matmul-to-lut=calibration=%t-int.npy 2>&1 | FileCheck %s --check-prefix=DTYPE
// RUN: not mmfree-opt %s -split-input-file --mmfree-matmul-to-lut="calibration=%t.npy codebooks=13" 2>&1 | FileCheck %s --check-prefix=BOOKS
// NOCAL: mmfree-matmul-to-lut: needs calibration=<rows of A as a .npy file>
// MISSING: mmfree-matmul-to-lut: calibration: cannot open '{{.*}}-missing.npy'
// BAD: is not a .npy file
// RANK: is not a 2-D array
// DTYPE: expected little-endian float32 or float64
// BOOKS: error: codebooks = 13 exceeds the 12 columns of A

// nn.Linear form, K = 12 split into 3 codebooks of 4 columns; the float
// weights are gone, the learned hash and tables are constants.
// CHECK-LABEL: func @linear
// CHECK-NOT: linalg.transpose
// CHECK-DAG: %[[DIMS:.*]] = arith.constant dense<{{.*}}> : tensor<3x4xi32>
// CHECK-DAG: %[[THR:.*]] = arith.constant dense<{{.*}}> : tensor<3x15xf32>
// CHECK-DAG: %[[TAB:.*]] = arith.constant dense<{{.*}}> : tensor<3x16x5xi8>
// CHECK: %[[CODES:.*]] = mmfree.lut_encode %arg0, %[[DIMS]], %[[THR]] : tensor<?x12xf32>, tensor<3x4xi32>, tensor<3x15xf32> -> tensor<?x3xi8>
// CHECK: %[[ACC:.*]] = mmfree.lut_matmul %[[CODES]], %[[TAB]] {accumulation = #mmfree<lut_accumulation exact>} : tensor<?x3xi8>, tensor<3x16x5xi8> -> tensor<?x5xi16>
// CHECK: linalg.generic {{.*}} ins(%[[ACC]] : tensor<?x5xi16>)
// CHECK:   arith.uitofp
// CHECK:   arith.mulf
// CHECK:   arith.addf
// AVG-LABEL: func @linear
// AVG: mmfree.lut_matmul {{.*}} {accumulation = #mmfree<lut_accumulation average>} : tensor<?x4xi8>, tensor<4x16x5xi8> -> tensor<?x5xi8>
func.func @linear(%x: tensor<?x12xf32>) -> tensor<?x5xf32> {
  %w = arith.constant dense<0.5> : tensor<5x12xf32>
  %t0 = tensor.empty() : tensor<12x5xf32>
  %wt = linalg.transpose ins(%w : tensor<5x12xf32>) outs(%t0 : tensor<12x5xf32>) permutation = [1, 0]
  %c0 = arith.constant 0 : index
  %m = tensor.dim %x, %c0 : tensor<?x12xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty(%m) : tensor<?x5xf32>
  %c = linalg.fill ins(%z : f32) outs(%e : tensor<?x5xf32>) -> tensor<?x5xf32>
  %y = linalg.matmul ins(%x, %wt : tensor<?x12xf32>, tensor<12x5xf32>) outs(%c : tensor<?x5xf32>) -> tensor<?x5xf32>
  return %y : tensor<?x5xf32>
}

// -----

// A nonzero init is added back.
// CHECK-LABEL: func @bias
// CHECK: %[[Y:.*]] = linalg.generic
// CHECK: linalg.add ins(%[[Y]], %arg1 : tensor<2x3xf32>, tensor<2x3xf32>)
func.func @bias(%x: tensor<2x12xf32>, %init: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %w = arith.constant dense<0.25> : tensor<12x3xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x12xf32>, tensor<12x3xf32>) outs(%init : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// Column-major activations (A produced as the transpose of a K x N tensor):
// encoding reads the transpose's input.
// CHECK-LABEL: func @column_major
// CHECK: mmfree.lut_encode %arg0, %{{.*}}, %{{.*}} {transpose_input} : tensor<12x7xf32>, tensor<3x4xi32>, tensor<3x15xf32> -> tensor<7x3xi8>
func.func @column_major(%xt: tensor<12x7xf32>) -> tensor<7x3xf32> {
  %w = arith.constant dense<0.25> : tensor<12x3xf32>
  %e = tensor.empty() : tensor<7x12xf32>
  %x = linalg.transpose ins(%xt : tensor<12x7xf32>) outs(%e : tensor<7x12xf32>) permutation = [1, 0]
  %z = arith.constant 0.0 : f32
  %ce = tensor.empty() : tensor<7x3xf32>
  %c = linalg.fill ins(%z : f32) outs(%ce : tensor<7x3xf32>) -> tensor<7x3xf32>
  %y = linalg.matmul ins(%x, %w : tensor<7x12xf32>, tensor<12x3xf32>) outs(%c : tensor<7x3xf32>) -> tensor<7x3xf32>
  return %y : tensor<7x3xf32>
}

// -----

func.func @runtime_weights(%x: tensor<2x12xf32>, %w: tensor<12x3xf32>, %c: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-remark @+1 {{not rewritten to table lookups: weights are not a compile-time constant}}
  %y = linalg.matmul ins(%x, %w : tensor<2x12xf32>, tensor<12x3xf32>) outs(%c : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
