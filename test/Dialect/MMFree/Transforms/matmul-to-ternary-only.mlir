// RUN: mmfree-opt %s --mmfree-matmul-to-ternary=only-ternary-weights -verify-diagnostics | FileCheck %s
// RUN: mmfree-opt %s --mmfree-matmul-to-ternary="only-ternary-weights scale=per-channel" 2>/dev/null | FileCheck %s --check-prefix=CHANNEL

// only-ternary-weights: BitNet layers (weights c * {-1, 0, 1}) are
// rewritten, an f32 head keeps f32.
// CHECK-LABEL: func @layers
// CHECK: mmfree.ternary_matmul {{.*}} -> tensor<2x2xi16>
// CHECK: linalg.matmul
// CHECK: linalg.matmul
// CHANNEL: mmfree.ternary_matmul {{.*}} -> tensor<2x2xi16>
// CHANNEL: mmfree.ternary_matmul {{.*}} -> tensor<2x2xi16>
// CHANNEL: linalg.matmul
func.func @layers(%x: tensor<2x3xf32>, %c: tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) {
  %t = arith.constant dense<[[0.5, 0.0], [-0.5, 0.5], [0.0, -0.5]]> : tensor<3x2xf32>
  // Ternary per channel (column n of B), not per tensor.
  %p = arith.constant dense<[[0.5, 0.0], [-0.5, 0.25], [0.0, -0.25]]> : tensor<3x2xf32>
  %h = arith.constant dense<[[0.3, 0.1], [-0.2, 0.5], [0.7, -0.5]]> : tensor<3x2xf32>
  %y0 = linalg.matmul ins(%x, %t : tensor<2x3xf32>, tensor<3x2xf32>) outs(%c : tensor<2x2xf32>) -> tensor<2x2xf32>
  // expected-remark @+1 {{not rewritten to ternary: weights are not c * {-1, 0, 1} (only-ternary-weights)}}
  %y1 = linalg.matmul ins(%x, %p : tensor<2x3xf32>, tensor<3x2xf32>) outs(%c : tensor<2x2xf32>) -> tensor<2x2xf32>
  // expected-remark @+1 {{not rewritten to ternary: weights are not c * {-1, 0, 1} (only-ternary-weights)}}
  %y2 = linalg.matmul ins(%x, %h : tensor<2x3xf32>, tensor<3x2xf32>) outs(%c : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y0, %y1, %y2 : tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>
}
