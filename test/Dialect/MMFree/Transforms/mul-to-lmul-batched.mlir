// RUN: mmfree-opt %s --mmfree-mul-to-lmul=batched-only -verify-diagnostics | FileCheck %s

// batched-only: the scores of a batch of heads (a generalized batch_matmul)
// use L-Mul; a plain contraction's product is left with a remark, an
// elementwise product silently.
// CHECK-LABEL: func @attention_only
// CHECK: mmfree.lmul
// CHECK-COUNT-2: arith.mulf
// CHECK-NOT: mmfree.lmul
func.func @attention_only(%q: tensor<4x1x8xf32>, %k: tensor<4x8x16xf32>, %s: tensor<4x1x16xf32>, %x: tensor<1x8xf32>, %w: tensor<8x16xf32>, %y: tensor<1x16xf32>) -> (tensor<4x1x16xf32>, tensor<1x16xf32>, tensor<1x8xf32>) {
  %0 = linalg.generic {indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, k, n)>, affine_map<(b, m, n, k) -> (b, m, n)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%q, %k : tensor<4x1x8xf32>, tensor<4x8x16xf32>) outs(%s : tensor<4x1x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %o, %m : f32
    linalg.yield %r : f32
  } -> tensor<4x1x16xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<1x8xf32>, tensor<8x16xf32>) outs(%y : tensor<1x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    // expected-remark @+1 {{not rewritten to L-Mul: not the product of a batched contraction (batched-only)}}
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %o, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x16xf32>
  %e = tensor.empty() : tensor<1x8xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<1x8xf32>) outs(%e : tensor<1x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<1x8xf32>
  return %0, %1, %2 : tensor<4x1x16xf32>, tensor<1x16xf32>, tensor<1x8xf32>
}
