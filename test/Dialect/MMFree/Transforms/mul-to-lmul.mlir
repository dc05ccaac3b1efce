// RUN: mmfree-opt %s -split-input-file --mmfree-mul-to-lmul=mantissa-bits=3 -verify-diagnostics | FileCheck %s
// RUN: not mmfree-opt %s -split-input-file --mmfree-mul-to-lmul=mantissa-bits=5 2>&1 | FileCheck %s --check-prefix=TOOBIG

// Attention scores: q * k in a generic body becomes L-Mul; the mulf
// outside linalg.generic is not touched.
// CHECK-LABEL: func @scores
// CHECK: linalg.generic
// CHECK:   %[[P:.*]] = mmfree.lmul %{{.*}}, %{{.*}} {mantissa_bits = 3 : i64} : f8E4M3FN
// CHECK:   linalg.yield %[[P]]
// CHECK: arith.mulf %arg2, %arg2 : f32
// TOOBIG: error: mantissa-bits = 5 exceeds the 3 mantissa bits of 'f8E4M3FN'
func.func @scores(%q: tensor<4x8xf8E4M3FN>, %k: tensor<4x8xf8E4M3FN>, %s: f32) -> (tensor<4x8xf8E4M3FN>, f32) {
  %e = tensor.empty() : tensor<4x8xf8E4M3FN>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%q, %k : tensor<4x8xf8E4M3FN>, tensor<4x8xf8E4M3FN>) outs(%e : tensor<4x8xf8E4M3FN>) {
  ^bb0(%x: f8E4M3FN, %y: f8E4M3FN, %o: f8E4M3FN):
    %m = arith.mulf %x, %y : f8E4M3FN
    linalg.yield %m : f8E4M3FN
  } -> tensor<4x8xf8E4M3FN>
  %1 = arith.mulf %s, %s : f32
  return %0, %1 : tensor<4x8xf8E4M3FN>, f32
}

// -----

func.func @f64(%q: tensor<4xf64>) -> tensor<4xf64> {
  %e = tensor.empty() : tensor<4xf64>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%q : tensor<4xf64>) outs(%e : tensor<4xf64>) {
  ^bb0(%x: f64, %o: f64):
    // expected-remark @+1 {{not rewritten to L-Mul: unsupported type 'f64'}}
    %m = arith.mulf %x, %x : f64
    linalg.yield %m : f64
  } -> tensor<4xf64>
  return %0 : tensor<4xf64>
}
