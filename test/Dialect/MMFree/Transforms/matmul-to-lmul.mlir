// RUN: mmfree-opt %s -split-input-file --mmfree-matmul-to-lmul -verify-diagnostics | FileCheck %s
// RUN: mmfree-opt %s -split-input-file --mmfree-matmul-to-lmul=mantissa-bits=2 -verify-diagnostics | FileCheck %s --check-prefix=K2
// RUN: not mmfree-opt %s -split-input-file --mmfree-matmul-to-lmul=mantissa-bits=9 2>&1 | FileCheck %s --check-prefix=TOOBIG

// Runtime operands, f32 result: the init is used as it is. k defaults to
// the format's full mantissa.
// CHECK-LABEL: func @plain
// CHECK: %[[R:.*]] = mmfree.lmul_matmul %arg0, %arg1, %arg2 {mantissa_bits = 7 : i64} : tensor<4x16xbf16>, tensor<16x8xbf16>, tensor<4x8xf32> -> tensor<4x8xf32>
// CHECK: return %[[R]]
// K2-LABEL: func @plain
// K2: mmfree.lmul_matmul {{.*}} {mantissa_bits = 2 : i64}
// TOOBIG: error: mantissa-bits = 9 exceeds the 7 mantissa bits of 'bf16'
func.func @plain(%a: tensor<4x16xbf16>, %b: tensor<16x8xbf16>, %c: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<4x16xbf16>, tensor<16x8xbf16>) outs(%c : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// B transposed through indexing_maps; an f16 result is accumulated in f32
// and rounded back.
// CHECK-LABEL: func @transposed_map
// CHECK: %[[I:.*]] = linalg.generic {{.*}} ins(%arg2 : tensor<?x8xf16>)
// CHECK:   arith.extf
// CHECK: %[[R:.*]] = mmfree.lmul_matmul %arg0, %arg1, %[[I]] {mantissa_bits = 10 : i64, transpose_rhs} : tensor<?x16xf16>, tensor<8x16xf16>, tensor<?x8xf32> -> tensor<?x8xf32>
// CHECK: linalg.generic {{.*}} ins(%[[R]] : tensor<?x8xf32>)
// CHECK:   arith.truncf
func.func @transposed_map(%a: tensor<?x16xf16>, %b: tensor<8x16xf16>, %c: tensor<?x8xf16>) -> tensor<?x8xf16> {
  %0 = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
      ins(%a, %b : tensor<?x16xf16>, tensor<8x16xf16>) outs(%c : tensor<?x8xf16>) -> tensor<?x8xf16>
  return %0 : tensor<?x8xf16>
}

// -----

// nn.Linear: the transpose disappears into transpose_rhs.
// CHECK-LABEL: func @linear
// CHECK-NOT: linalg.transpose
// CHECK: mmfree.lmul_matmul %arg0, %arg1, %{{.*}} {mantissa_bits = 23 : i64, transpose_rhs}
func.func @linear(%x: tensor<2x16xf32>, %w: tensor<8x16xf32>) -> tensor<2x8xf32> {
  %t0 = tensor.empty() : tensor<16x8xf32>
  %wt = linalg.transpose ins(%w : tensor<8x16xf32>) outs(%t0 : tensor<16x8xf32>) permutation = [1, 0]
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x8xf32>
  %c = linalg.fill ins(%z : f32) outs(%e : tensor<2x8xf32>) -> tensor<2x8xf32>
  %y = linalg.matmul ins(%x, %wt : tensor<2x16xf32>, tensor<16x8xf32>) outs(%c : tensor<2x8xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

func.func @f64(%a: tensor<2x4xf64>, %b: tensor<4x3xf64>, %c: tensor<2x3xf64>) -> tensor<2x3xf64> {
  // expected-remark @+1 {{not rewritten to L-Mul: A and B need the same element type among f32, bf16, f16, f8E4M3FN and f8E5M2, and the result a float type}}
  %0 = linalg.matmul ins(%a, %b : tensor<2x4xf64>, tensor<4x3xf64>) outs(%c : tensor<2x3xf64>) -> tensor<2x3xf64>
  return %0 : tensor<2x3xf64>
}

// -----

func.func @integers(%a: tensor<2x4xi8>, %b: tensor<4x3xi8>, %c: tensor<2x3xi32>) -> tensor<2x3xi32> {
  // expected-remark @+1 {{not rewritten to L-Mul: A and B need the same element type}}
  %0 = linalg.matmul ins(%a, %b : tensor<2x4xi8>, tensor<4x3xi8>) outs(%c : tensor<2x3xi32>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}
