// One calibration file per contraction with constant weights, in IR order:
// a model layer's projections see different activations, each recorded by
// running the model (mmfree-run --layer-methods N=maddness). A contraction
// with runtime weights takes no file; a chained contraction is matched again
// after its producer was rewritten.
//
// RUN: %python -c "import numpy as np; r = np.random.default_rng(0); np.save('%t-a.npy', r.standard_normal((64, 12)).astype(np.float32)); np.save('%t-b.npy', r.standard_normal((64, 8)).astype(np.float32)); np.save('%t-c.npy', r.standard_normal((64, 4)).astype(np.float32))"
// RUN: mmfree-opt %s --mmfree-matmul-to-lut="calibration=%t-a.npy,%t-b.npy codebooks=4" 2>&1 | FileCheck %s
// RUN: not mmfree-opt %s --mmfree-matmul-to-lut="calibration=%t-a.npy,%t-b.npy,%t-c.npy codebooks=4" 2>&1 | FileCheck %s --check-prefix=COUNT
// RUN: not mmfree-opt %s --mmfree-matmul-to-lut="calibration=%t-b.npy,%t-a.npy codebooks=4" 2>&1 | FileCheck %s --check-prefix=COLS
// One file: it fits the first contraction (K = 12) only; the second gets a
// remark.
// RUN: mmfree-opt %s --mmfree-matmul-to-lut="calibration=%t-a.npy codebooks=4" 2>&1 | FileCheck %s --check-prefix=ONE

// CHECK: remark: not rewritten to table lookups: weights are not a compile-time constant
// CHECK-LABEL: func @layer
// CHECK: mmfree.lut_encode %arg0, {{.*}} : tensor<2x12xf32>, tensor<4x4xi32>, tensor<4x15xf32> -> tensor<2x4xi8>
// CHECK: mmfree.lut_matmul {{.*}} -> tensor<2x8xi16>
// CHECK: linalg.matmul
// CHECK: mmfree.lut_encode {{.*}} : tensor<2x8xf32>, tensor<4x4xi32>, tensor<4x15xf32> -> tensor<2x4xi8>
// CHECK: mmfree.lut_matmul {{.*}} -> tensor<2x3xi16>
// CHECK-NOT: linalg.matmul
// CHECK: return

// COUNT: error: mmfree-matmul-to-lut: 3 calibration files for 2 contractions with constant weights
// COLS: error: calibration file 0 ('{{.*}}-b.npy') has 8 columns but contraction 0 reduces over 12

// ONE: remark: not rewritten to table lookups: calibration rows have 12 columns but this contraction reduces over 8
// ONE-COUNT-1: mmfree.lut_encode

func.func @layer(%x: tensor<2x12xf32>, %r: tensor<8x8xf32>) -> tensor<2x3xf32> {
  %w1 = arith.constant dense<0.5> : tensor<12x8xf32>
  %w2 = arith.constant dense<-0.25> : tensor<8x3xf32>
  %z8 = tensor.empty() : tensor<2x8xf32>
  %z3 = tensor.empty() : tensor<2x3xf32>
  %c0 = arith.constant 0.0 : f32
  %i8 = linalg.fill ins(%c0 : f32) outs(%z8 : tensor<2x8xf32>) -> tensor<2x8xf32>
  %i3 = linalg.fill ins(%c0 : f32) outs(%z3 : tensor<2x3xf32>) -> tensor<2x3xf32>
  %h = linalg.matmul ins(%x, %w1 : tensor<2x12xf32>, tensor<12x8xf32>) outs(%i8 : tensor<2x8xf32>) -> tensor<2x8xf32>
  %m = linalg.matmul ins(%h, %r : tensor<2x8xf32>, tensor<8x8xf32>) outs(%i8 : tensor<2x8xf32>) -> tensor<2x8xf32>
  %y = linalg.matmul ins(%m, %w2 : tensor<2x8xf32>, tensor<8x3xf32>) outs(%i3 : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
