// RUN: mmfree-opt %s -split-input-file --mmfree-matmul-to-ternary -verify-diagnostics | FileCheck %s
// RUN: mmfree-opt %s -split-input-file --mmfree-matmul-to-ternary="activations=float scale=per-channel" -verify-diagnostics | FileCheck %s --check-prefix=FLOAT

// Plain matmul, K x N weights. Column n of B becomes packed row n: weight
// (k=0,n=0)=+1 -> code 1 in byte 0, (k=1,n=0)=-1 -> code 2 in byte 1.
// CHECK-LABEL: func @plain
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[}}1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]], {{\[\[}}0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]]> : tensor<2x1x16xi8>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<1.000000e+00> : tensor<1xf32>
// CHECK: %[[XQ:.*]], %[[Q:.*]] = mmfree.quantize_rows %arg0 : tensor<3x3xf32> -> tensor<3x3xi8>, tensor<3xf32>
// CHECK: %[[ACC:.*]] = mmfree.ternary_matmul %[[XQ]], %[[W]] {k = 3 : i64} : tensor<3x3xi8>, tensor<2x1x16xi8> -> tensor<3x2xi16>
// CHECK: %[[Y:.*]] = mmfree.dequantize %[[ACC]], %[[S]], %[[Q]]
// CHECK: return %[[Y]]
// FLOAT-LABEL: func @plain
// FLOAT: %[[ACC:.*]] = mmfree.ternary_matmul %arg0, %{{.*}} {k = 3 : i64} : tensor<3x3xf32>, tensor<2x1x16xi8> -> tensor<3x2xf32>
// FLOAT: mmfree.dequantize %[[ACC]], %{{.*}} : (tensor<3x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
func.func @plain(%x: tensor<3x3xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[1.0, 0.0], [-1.0, 1.0], [0.0, -1.0]]> : tensor<3x2xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x2xf32>
  %c = linalg.fill ins(%z : f32) outs(%e : tensor<3x2xf32>) -> tensor<3x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x3xf32>, tensor<3x2xf32>) outs(%c : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// Transposed B through indexing_maps: weights are N x K already. A nonzero
// init is added back after the rescale. The float weights are dropped.
// CHECK-LABEL: func @transposed_map
// CHECK-NOT: tensor<2x3xf32>
// CHECK: mmfree.ternary_matmul {{.*}} -> tensor<1x2xi16>
// CHECK: %[[Y:.*]] = mmfree.dequantize
// CHECK: %[[SUM:.*]] = linalg.add ins(%[[Y]], %arg1 : tensor<1x2xf32>, tensor<1x2xf32>) outs(%arg1 : tensor<1x2xf32>)
// CHECK: return %[[SUM]]
func.func @transposed_map(%x: tensor<1x3xf32>, %init: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[0.5, 0.0, -0.5], [0.25, 0.75, 0.0]]> : tensor<2x3xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
      ins(%x, %w : tensor<1x3xf32>, tensor<2x3xf32>) outs(%init : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// torch-mlir's nn.Linear: linalg.transpose of a dense_resource weight, with
// dynamic batch. Absmean scale of {2, -2, 0, 1} is 1.25; per channel the
// rows are already {-2, 0, 2} and {0, 1}, scales 2 and 1.
// CHECK-LABEL: func @linear
// CHECK-NOT: linalg.transpose
// CHECK-DAG: arith.constant dense<1.250000e+00> : tensor<1xf32>
// CHECK-DAG: arith.constant dense<{{\[\[\[}}1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]], {{\[\[}}0, 1, 0,
// CHECK: mmfree.quantize_rows %arg0 : tensor<?x2xf32> -> tensor<?x2xi8>, tensor<?xf32>
// CHECK: mmfree.ternary_matmul {{.*}} -> tensor<?x2xi16>
// FLOAT-LABEL: func @linear
// FLOAT: arith.constant dense<[2.000000e+00, 1.000000e+00]> : tensor<2xf32>
func.func @linear(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense_resource<lin> : tensor<2x2xf32>
  %t0 = tensor.empty() : tensor<2x2xf32>
  %wt = linalg.transpose ins(%w : tensor<2x2xf32>) outs(%t0 : tensor<2x2xf32>) permutation = [1, 0]
  %c0 = arith.constant 0 : index
  %m = tensor.dim %x, %c0 : tensor<?x2xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty(%m) : tensor<?x2xf32>
  %c = linalg.fill ins(%z : f32) outs(%e : tensor<?x2xf32>) -> tensor<?x2xf32>
  %y = linalg.matmul ins(%x, %wt : tensor<?x2xf32>, tensor<2x2xf32>) outs(%c : tensor<?x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      lin: "0x0400000000000040000000C0000000000000803F"
    }
  }
#-}

// -----

// Runtime weights cannot be packed at compile time.
func.func @runtime_weights(%x: tensor<2x4xf32>, %w: tensor<4x3xf32>, %c: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-remark @+1 {{not rewritten to ternary: weights are not a compile-time constant}}
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%c : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

func.func @f16(%x: tensor<2x4xf16>, %c: tensor<2x3xf16>) -> tensor<2x3xf16> {
  %w = arith.constant dense<1.0> : tensor<4x3xf16>
  // expected-remark @+1 {{not rewritten to ternary: only f32 contractions are supported}}
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf16>, tensor<4x3xf16>) outs(%c : tensor<2x3xf16>) -> tensor<2x3xf16>
  return %y : tensor<2x3xf16>
}

// -----

func.func @transposed_a(%x: tensor<4x2xf32>, %c: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %w = arith.constant dense<1.0> : tensor<4x3xf32>
  // expected-remark @+1 {{not rewritten to ternary: the activations are not rows x K in the result's row order (transposed activations)}}
  %y = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
      ins(%x, %w : tensor<4x2xf32>, tensor<4x3xf32>) outs(%c : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
