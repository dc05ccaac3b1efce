// Contractions with a zero-size dimension (K = 0, N = 0, M = 0) are left to
// linalg with a remark by every rewrite (the ops need K >= 1, the kernels
// non-empty tiles), and compile through the CPU pipeline.
// RUN: mmfree-opt %s --mmfree-matmul-to-ternary --verify-diagnostics
// RUN: mmfree-opt %s --mmfree-matmul-to-lmul --verify-diagnostics
// RUN: mmfree-opt %s --mmfree-matmul-to-ternary --mmfree-matmul-to-lmul --mmfree-cpu-pipeline 2>/dev/null | FileCheck %s
// CHECK: llvm.func @k0
// CHECK: llvm.func @n0
// CHECK: llvm.func @m0

func.func @k0(%a: tensor<4x0xf32>, %c: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %w = arith.constant dense<1.0> : tensor<0x8xf32>
  // expected-remark @+1 {{a dimension has size 0 (an empty product)}}
  %r = linalg.matmul ins(%a, %w : tensor<4x0xf32>, tensor<0x8xf32>) outs(%c : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

func.func @n0(%a: tensor<4x64xf32>, %c: tensor<4x0xf32>) -> tensor<4x0xf32> {
  %w = arith.constant dense<1.0> : tensor<64x0xf32>
  // expected-remark @+1 {{a dimension has size 0 (an empty product)}}
  %r = linalg.matmul ins(%a, %w : tensor<4x64xf32>, tensor<64x0xf32>) outs(%c : tensor<4x0xf32>) -> tensor<4x0xf32>
  return %r : tensor<4x0xf32>
}

func.func @m0(%a: tensor<0x64xf32>, %c: tensor<0x8xf32>) -> tensor<0x8xf32> {
  %w = arith.constant dense<-1.0> : tensor<64x8xf32>
  // expected-remark @+1 {{a dimension has size 0 (an empty product)}}
  %r = linalg.matmul ins(%a, %w : tensor<0x64xf32>, tensor<64x8xf32>) outs(%c : tensor<0x8xf32>) -> tensor<0x8xf32>
  return %r : tensor<0x8xf32>
}
