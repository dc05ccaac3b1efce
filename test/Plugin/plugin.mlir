// Stock mlir-opt with mmfree loaded as a plugin: the dialect parses and the
// passes and the CPU pipeline run (plugin passes are named in
// --pass-pipeline: mlir-opt parses its flags before it loads plugins).
// RUN: mlir-opt %s --load-dialect-plugin=%mmfree_plugin --load-pass-plugin=%mmfree_plugin --pass-pipeline="builtin.module(mmfree-matmul-to-ternary)" | FileCheck %s
// RUN: mlir-opt %s --load-dialect-plugin=%mmfree_plugin --load-pass-plugin=%mmfree_plugin --pass-pipeline="builtin.module(mmfree-matmul-to-ternary,mmfree-cpu-pipeline)" | FileCheck %s --check-prefix=LLVM

// CHECK-LABEL: func @layer
// CHECK: mmfree.quantize_rows
// CHECK: mmfree.ternary_matmul
// CHECK: mmfree.dequantize
// LLVM-LABEL: llvm.func @layer
// LLVM-NOT: mmfree.
func.func @layer(%x: tensor<2x64xf32>) -> tensor<2x4xf32> {
  %w = arith.constant dense<0.5> : tensor<64x4xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4xf32>
  %c = linalg.fill ins(%z : f32) outs(%e : tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x64xf32>, tensor<64x4xf32>) outs(%c : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
