// Matmuls the f32 vectorizer leaves to linalg loops instead of handing them
// to upstream tiling/vectorization, which cannot take them: on memrefs,
// with mixed element types, with a zero-size dimension. Each still
// compiles through the whole CPU pipeline.
// RUN: mmfree-opt %s --mmfree-vectorize-matmul | FileCheck %s
// RUN: mmfree-opt %s --mmfree-cpu-pipeline | FileCheck %s --check-prefix=LLVM

// CHECK-LABEL: func.func @on_memrefs
// CHECK-NEXT: linalg.matmul
// LLVM-LABEL: llvm.func @on_memrefs
func.func @on_memrefs(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>) {
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>)
  return
}

// A narrower than f32 (a narrow B is vectorized: vectorize-matmul.mlir).
// CHECK-LABEL: func.func @mixed_types
// CHECK-NEXT: linalg.matmul
// LLVM-LABEL: llvm.func @mixed_types
// LLVM: llvm.fpext
func.func @mixed_types(%a: tensor<4x8xf16>, %b: tensor<8x16xf32>, %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<4x8xf16>, tensor<8x16xf32>) outs(%c : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %r : tensor<4x16xf32>
}

// CHECK-LABEL: func.func @zero_rows
// CHECK-NEXT: linalg.matmul
// LLVM-LABEL: llvm.func @zero_rows
func.func @zero_rows(%a: tensor<0x8xf32>, %b: tensor<8x16xf32>, %c: tensor<0x16xf32>) -> tensor<0x16xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<0x8xf32>, tensor<8x16xf32>) outs(%c : tensor<0x16xf32>) -> tensor<0x16xf32>
  return %r : tensor<0x16xf32>
}
