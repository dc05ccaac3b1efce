// RUN: mmfree-opt %s --mmfree-matmul-to-ternary --mmfree-cpu-pipeline | FileCheck %s
// An option value with spaces is one value (no pipeline text is re-parsed):
// RUN: not mmfree-opt %s --mmfree-cpu-pipeline="target='x86-64-v3 foo=1'" 2>&1 | FileCheck %s --check-prefix=SPACE
// SPACE: error: mmfree-select-kernels: unknown target 'x86-64-v3 foo=1': expected generic

// The whole ternary layer reaches the LLVM dialect. Only the quantization
// and the rescale multiply (vectorized, in f32): no integer vector multiply.
// CHECK-LABEL: llvm.func @layer
// CHECK-NOT: mmfree.
// CHECK-NOT: linalg.
// CHECK-NOT: scf.
// CHECK-NOT: llvm.mul {{.*}} : vector

// CHECK: "llvm.intr.vector.reduce.add"({{.*}}) : (vector<16xi32>) -> i32
// CHECK-NOT: llvm.mul {{.*}} : vector

// CHECK: llvm.return
func.func @layer(%x: tensor<8x300xf32>) -> tensor<8x16xf32> {
  %w = arith.constant dense<0.5> : tensor<300x16xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x16xf32>
  %c = linalg.fill ins(%z : f32) outs(%e : tensor<8x16xf32>) -> tensor<8x16xf32>
  %y = linalg.matmul ins(%x, %w : tensor<8x300xf32>, tensor<300x16xf32>) outs(%c : tensor<8x16xf32>) -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}
