// RUN: mmfree-opt %s -split-input-file --mmfree-matmul-to-ternary -verify-diagnostics | FileCheck %s
// RUN: mmfree-opt %s -split-input-file --mmfree-matmul-to-lmul 2>/dev/null | FileCheck %s --check-prefix=LMUL
// RUN: mmfree-opt %s -split-input-file --mmfree-matmul-to-ternary=scale=per-channel 2>/dev/null | FileCheck %s --check-prefix=CHANNEL

// The forms torch-mlir and iree-turbine exports put around a layer's
// contraction: each is seen through by the one matcher of every rewrite.

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#tr2 = affine_map<(d0, d1) -> (d1, d0)>

// nn.Linear with the weight transpose as a permutation-only generic.
// CHECK-LABEL: func @generic_transpose
// CHECK: arith.constant dense<{{\[\[\[}}1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]], {{\[\[}}0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]]> : tensor<2x1x16xi8>
// CHECK: mmfree.ternary_matmul {{.*}} : tensor<2x3xi8>, tensor<2x1x16xi8> -> tensor<2x2xi16>
// CHECK-NOT: linalg.generic
// CHECK-NOT: linalg.matmul
// LMUL-LABEL: func @generic_transpose
// LMUL: mmfree.lmul_matmul %arg0, %{{.*}}, %{{.*}} {mantissa_bits = 23 : i64, transpose_rhs}
func.func @generic_transpose(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<[[1.0, 0.0, -1.0], [0.0, 1.0, 1.0]]> : tensor<2x3xf32>
  %e = tensor.empty() : tensor<3x2xf32>
  %t = linalg.generic {indexing_maps = [#tr2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%w : tensor<2x3xf32>) outs(%e : tensor<3x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<3x2xf32>
  %z = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<2x2xf32>
  %c = linalg.fill ins(%z : f32) outs(%e2 : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = linalg.matmul ins(%x, %t : tensor<2x3xf32>, tensor<3x2xf32>) outs(%c : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// 1 x S x D activations as a 4-loop generic contraction with a K x N
// weight: the batch and sequence dimensions become rows.
// CHECK-LABEL: func @generic_3d
// CHECK: %[[X:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0, 1], [2]] : tensor<1x5x3xf32> into tensor<5x3xf32>
// CHECK: mmfree.quantize_rows %[[X]]
// CHECK: %[[ACC:.*]] = mmfree.ternary_matmul {{.*}} -> tensor<5x2xi16>
// CHECK: %[[Y:.*]] = mmfree.dequantize %[[ACC]]
// CHECK: tensor.expand_shape %[[Y]] {{\[\[}}0, 1], [2]] output_shape [1, 5, 2] : tensor<5x2xf32> into tensor<1x5x2xf32>
// LMUL-LABEL: func @generic_3d
// LMUL: mmfree.lmul_matmul {{.*}} : tensor<5x3xf32>, tensor<3x2xf32>, tensor<5x2xf32> -> tensor<5x2xf32>
func.func @generic_3d(%x: tensor<1x5x3xf32>) -> tensor<1x5x2xf32> {
  %w = arith.constant dense<[[1.0, 0.0], [-1.0, 1.0], [0.0, -1.0]]> : tensor<3x2xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x5x2xf32>
  %c = linalg.fill ins(%z : f32) outs(%e : tensor<1x5x2xf32>) -> tensor<1x5x2xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(b, s, n, k) -> (b, s, k)>,
                                        affine_map<(b, s, n, k) -> (k, n)>,
                                        affine_map<(b, s, n, k) -> (b, s, n)>],
                       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<1x5x3xf32>, tensor<3x2xf32>) outs(%c : tensor<1x5x2xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x5x2xf32>
  return %y : tensor<1x5x2xf32>
}

// -----

// batch_matmul with the weight broadcast over the batch (linalg.broadcast),
// a dynamic batch, and a broadcast bias as the init: added back.
// CHECK-LABEL: func @batch_broadcast
// CHECK: %[[X:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0, 1], [2]] : tensor<?x4x3xf32> into tensor<?x3xf32>
// CHECK: mmfree.ternary_matmul {{.*}} -> tensor<?x2xi16>
// CHECK: %[[Y:.*]] = mmfree.dequantize
// CHECK: %[[B:.*]] = tensor.collapse_shape %[[INIT:.*]] {{\[\[}}0, 1], [2]] : tensor<?x4x2xf32> into tensor<?x2xf32>
// CHECK: %[[S:.*]] = linalg.add ins(%[[Y]], %[[B]] : tensor<?x2xf32>, tensor<?x2xf32>)
// CHECK: tensor.expand_shape %[[S]] {{\[\[}}0, 1], [2]] output_shape [%{{.*}}, 4, 2] : tensor<?x2xf32> into tensor<?x4x2xf32>
// LMUL-LABEL: func @batch_broadcast
// LMUL: mmfree.lmul_matmul {{.*}} : tensor<?x3xf32>, tensor<3x2xf32>, tensor<?x2xf32> -> tensor<?x2xf32>
func.func @batch_broadcast(%x: tensor<?x4x3xf32>) -> tensor<?x4x2xf32> {
  %c0 = arith.constant 0 : index
  %b = tensor.dim %x, %c0 : tensor<?x4x3xf32>
  %w = arith.constant dense<[[1.0, 0.0], [-1.0, 1.0], [0.0, -1.0]]> : tensor<3x2xf32>
  %we = tensor.empty(%b) : tensor<?x3x2xf32>
  %wb = linalg.broadcast ins(%w : tensor<3x2xf32>) outs(%we : tensor<?x3x2xf32>) dimensions = [0]
  %bias = arith.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %e = tensor.empty(%b) : tensor<?x4x2xf32>
  %c = linalg.broadcast ins(%bias : tensor<2xf32>) outs(%e : tensor<?x4x2xf32>) dimensions = [0, 1]
  %y = linalg.batch_matmul ins(%x, %wb : tensor<?x4x3xf32>, tensor<?x3x2xf32>) outs(%c : tensor<?x4x2xf32>) -> tensor<?x4x2xf32>
  return %y : tensor<?x4x2xf32>
}

// -----

// A BitLinear export: i8 weights dequantized by a generic (sitofp, times a
// per-channel scale) before the transpose, held in an immutable global.
// Weights {-1, 0, 1} x 0.5 per channel keep their values with scale 0.5.
// CHECK-LABEL: func @dequantized_global
// CHECK-DAG: arith.constant dense<{{\[\[\[}}1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]], {{\[\[}}0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]]> : tensor<2x1x16xi8>
// CHECK-DAG: arith.constant dense<5.000000e-01> : tensor<1xf32>
// CHECK-NOT: ml_program.global_load_const
// CHECK-NOT: linalg.generic
// LMUL-LABEL: func @dequantized_global
// LMUL: mmfree.lmul_matmul {{.*}} {mantissa_bits = 23 : i64, transpose_rhs}
ml_program.global private @w(dense<[[1, -1, 0], [0, 1, -1]]> : tensor<2x3xi8>) : tensor<2x3xi8>
func.func @dequantized_global(%x: tensor<4x3xf32>) -> tensor<4x2xf32> {
  %wq = ml_program.global_load_const @w : tensor<2x3xi8>
  %scale = arith.constant dense<[0.5, 0.5]> : tensor<2xf32>
  %e = tensor.empty() : tensor<2x3xf32>
  %wf = linalg.generic {indexing_maps = [affine_map<(n, k) -> (n, k)>, affine_map<(n, k) -> (n)>, affine_map<(n, k) -> (n, k)>],
                        iterator_types = ["parallel", "parallel"]}
      ins(%wq, %scale : tensor<2x3xi8>, tensor<2xf32>) outs(%e : tensor<2x3xf32>) {
  ^bb0(%q: i8, %s: f32, %out: f32):
    %f = arith.sitofp %q : i8 to f32
    %m = arith.mulf %f, %s : f32
    linalg.yield %m : f32
  } -> tensor<2x3xf32>
  %et = tensor.empty() : tensor<3x2xf32>
  %t = linalg.transpose ins(%wf : tensor<2x3xf32>) outs(%et : tensor<3x2xf32>) permutation = [1, 0]
  %z = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<4x2xf32>
  %c = linalg.fill ins(%z : f32) outs(%e2 : tensor<4x2xf32>) -> tensor<4x2xf32>
  %y = linalg.matmul ins(%x, %t : tensor<4x3xf32>, tensor<3x2xf32>) outs(%c : tensor<4x2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// Weights reshaped on the way (expand, then collapse, then a cast).
// CHECK-LABEL: func @reshaped
// CHECK: arith.constant dense<{{\[\[\[}}1, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]], {{\[\[}}0, 1, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]]> : tensor<2x1x16xi8>
// CHECK: mmfree.ternary_matmul {{.*}} -> tensor<2x2xi16>
// CHECK-NOT: tensor.cast
func.func @reshaped(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<[1.0, 0.0, -1.0, 1.0, 0.0, 1.0, 1.0, -1.0]> : tensor<8xf32>
  %w2 = tensor.expand_shape %w [[0, 1]] output_shape [4, 2] : tensor<8xf32> into tensor<4x2xf32>
  %w3 = tensor.cast %w2 : tensor<4x2xf32> to tensor<?x2xf32>
  %w4 = tensor.cast %w3 : tensor<?x2xf32> to tensor<4x2xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %c = linalg.fill ins(%z : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = linalg.matmul ins(%x, %w4 : tensor<2x4xf32>, tensor<4x2xf32>) outs(%c : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// Attention-like batch_matmul of two runtime operands: weights vary along
// the batch.
// LMUL-LABEL: func @batched_runtime
func.func @batched_runtime(%q: tensor<2x4x8xf32>, %k: tensor<2x8x4xf32>, %c: tensor<2x4x4xf32>) -> tensor<2x4x4xf32> {
  // expected-remark @+1 {{not rewritten to ternary: the weights vary along a batch dimension (not one weight matrix broadcast over the batch)}}
  %y = linalg.batch_matmul ins(%q, %k : tensor<2x4x8xf32>, tensor<2x8x4xf32>) outs(%c : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  return %y : tensor<2x4x4xf32>
}

// -----

// A mutable global is not a constant.
ml_program.global private mutable @v(dense<1.0> : tensor<3x2xf32>) : tensor<3x2xf32>
func.func @mutable_global(%x: tensor<2x3xf32>, %c: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = ml_program.global_load @v : tensor<3x2xf32>
  // expected-remark @+1 {{not rewritten to ternary: weights are loaded from a mutable or uninitialized global}}
  %y = linalg.matmul ins(%x, %w : tensor<2x3xf32>, tensor<3x2xf32>) outs(%c : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// Two reduction dimensions.
func.func @two_reductions(%x: tensor<2x3x4xf32>, %c: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %w = arith.constant dense<1.0> : tensor<3x4x5xf32>
  // expected-remark @+1 {{not rewritten to ternary: reduces over 2 dimensions (one is supported)}}
  %y = linalg.generic {indexing_maps = [affine_map<(m, n, k1, k2) -> (m, k1, k2)>,
                                        affine_map<(m, n, k1, k2) -> (k1, k2, n)>,
                                        affine_map<(m, n, k1, k2) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : tensor<2x3x4xf32>, tensor<3x4x5xf32>) outs(%c : tensor<2x5xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x5xf32>
  return %y : tensor<2x5xf32>
}

// -----

// A matrix-vector product and a contraction on buffers.
func.func @matvec(%w: tensor<2x3xf32>, %x: tensor<3xf32>, %c: tensor<2xf32>, %a: memref<2x3xf32>, %b: memref<3x2xf32>, %o: memref<2x2xf32>) -> tensor<2xf32> {
  // expected-remark @+1 {{not rewritten to ternary: the second operand has no output-channel dimension (a matrix-vector product)}}
  %y = linalg.matvec ins(%w, %x : tensor<2x3xf32>, tensor<3xf32>) outs(%c : tensor<2xf32>) -> tensor<2xf32>
  // expected-remark @+1 {{not rewritten to ternary: contraction is not on tensors}}
  linalg.matmul ins(%a, %b : memref<2x3xf32>, memref<3x2xf32>) outs(%o : memref<2x2xf32>)
  return %y : tensor<2xf32>
}

// -----

// A dense_resource blob shorter than its type.
func.func @short_blob(%x: tensor<2x3xf32>, %c: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense_resource<short> : tensor<3x2xf32>
  // expected-remark @+1 {{not rewritten to ternary: dense_resource blob holds 8 bytes, not the 24 its tensor type needs}}
  %y = linalg.matmul ins(%x, %w : tensor<2x3xf32>, tensor<3x2xf32>) outs(%c : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      short: "0x040000000000803F0000803F"
    }
  }
#-}

// -----

// A splat of 2^31 x 8 i8 weights would materialize 16 GiB of values: not
// folded (the limit is 2^28 elements), left alone with a remark.
func.func @huge_splat(%x: tensor<1x2147483648xf32>, %c: tensor<1x8xf32>) -> tensor<1x8xf32> {
  %w8 = arith.constant dense<1> : tensor<2147483648x8xi8>
  %w = arith.sitofp %w8 : tensor<2147483648x8xi8> to tensor<2147483648x8xf32>
  // expected-remark @+1 {{not rewritten to ternary: weights pass through a tensor of 17179869184 elements, more than the 2^28 folded at compile time}}
  %y = linalg.matmul ins(%x, %w : tensor<1x2147483648xf32>, tensor<2147483648x8xf32>) outs(%c : tensor<1x8xf32>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// -----

// Weights that are not finite are not ternarized (absmean and rounding of
// NaN are undefined), also when computed by the weight chain (1 / 0).
func.func @nan_weights(%x: tensor<2x3xf32>, %c: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<[[1.0, 0x7FC00000], [-1.0, 0.0], [1.0, 1.0]]> : tensor<3x2xf32>
  // expected-remark @+1 {{not rewritten to ternary: weights hold a NaN or an infinity (element 1)}}
  %y = linalg.matmul ins(%x, %w : tensor<2x3xf32>, tensor<3x2xf32>) outs(%c : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @infinite_weights(%x: tensor<2x3xf32>, %c: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %one = arith.constant dense<1.0> : tensor<3x2xf32>
  %zero = arith.constant dense<[[1.0, 1.0], [1.0, 0.0], [1.0, 1.0]]> : tensor<3x2xf32>
  %w = arith.divf %one, %zero : tensor<3x2xf32>
  // expected-remark @+1 {{not rewritten to ternary: weights hold a NaN or an infinity (element 3)}}
  %y = linalg.matmul ins(%x, %w : tensor<2x3xf32>, tensor<3x2xf32>) outs(%c : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// torch-mlir's broadcast of a size-1 dimension: the scale read through a
// constant 0 in the map (per-channel scales, kept exactly).
// CHECK-LABEL: func @zero_in_map
// CHECK: mmfree.ternary_matmul
// CHANNEL-LABEL: func @zero_in_map
// CHANNEL-DAG: arith.constant dense<{{\[\[\[}}1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]], {{\[\[}}0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]]> : tensor<2x1x16xi8>
// CHANNEL-DAG: arith.constant dense<[2.500000e-01, 5.000000e-01]> : tensor<2xf32>
// CHANNEL: mmfree.ternary_matmul
func.func @zero_in_map(%x: tensor<4x3xf32>) -> tensor<4x2xf32> {
  %wq = arith.constant dense<[[1, -1, 0], [0, 1, -1]]> : tensor<2x3xi8>
  %scale = arith.constant dense<[[0.25], [0.5]]> : tensor<2x1xf32>
  %e = tensor.empty() : tensor<2x3xf32>
  %wf = linalg.generic {indexing_maps = [affine_map<(n, k) -> (n, k)>, affine_map<(n, k) -> (n, 0)>, affine_map<(n, k) -> (n, k)>],
                        iterator_types = ["parallel", "parallel"]}
      ins(%wq, %scale : tensor<2x3xi8>, tensor<2x1xf32>) outs(%e : tensor<2x3xf32>) {
  ^bb0(%q: i8, %s: f32, %out: f32):
    %f = arith.sitofp %q : i8 to f32
    %m = arith.mulf %f, %s : f32
    linalg.yield %m : f32
  } -> tensor<2x3xf32>
  %z = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<4x2xf32>
  %c = linalg.fill ins(%z : f32) outs(%e2 : tensor<4x2xf32>) -> tensor<4x2xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
      ins(%x, %wf : tensor<4x3xf32>, tensor<2x3xf32>) outs(%c : tensor<4x2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}
