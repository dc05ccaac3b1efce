// RUN: mmfree-opt %s -split-input-file --mmfree-vectorize-matmul --canonicalize | FileCheck %s

// 8 x 64 x 256: tiles of 4 x 16 x 16, each one vector.contract.
// CHECK-LABEL: func @tiled
// CHECK: scf.for {{.*}} = %c0 to %c8 step %c4
// CHECK:   scf.for {{.*}} = %c0 to %c64 step %c16
// CHECK:     scf.for {{.*}} = %c0 to %c256 step %c16
// CHECK:       vector.contract {{.*}} : vector<4x16xf32>, vector<16x16xf32> into vector<4x16xf32>
func.func @tiled(%a: tensor<8x256xf32>, %b: tensor<256x64xf32>, %c: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<8x256xf32>, tensor<256x64xf32>) outs(%c : tensor<8x64xf32>) -> tensor<8x64xf32>
  return %0 : tensor<8x64xf32>
}

// -----

// Odd sizes take the largest power-of-two divisor: 3 -> 1, 12 -> 4, 100 -> 4.
// CHECK-LABEL: func @ragged
// CHECK: vector.contract {{.*}} : vector<1x4xf32>, vector<4x4xf32> into vector<1x4xf32>
func.func @ragged(%a: tensor<3x100xf32>, %b: tensor<100x12xf32>, %c: tensor<3x12xf32>) -> tensor<3x12xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<3x100xf32>, tensor<100x12xf32>) outs(%c : tensor<3x12xf32>) -> tensor<3x12xf32>
  return %0 : tensor<3x12xf32>
}

// -----

// Dynamic sizes are left for the loop lowering.
// CHECK-LABEL: func @dynamic
// CHECK: linalg.matmul
func.func @dynamic(%a: tensor<?x8xf32>, %b: tensor<8x8xf32>, %c: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<?x8xf32>, tensor<8x8xf32>) outs(%c : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// nn.Linear: the weight transpose is read through the indexing map instead
// of being copied.
// CHECK-LABEL: func @linear
// CHECK-NOT: linalg.transpose
// CHECK: vector.contract {{.*}} : vector<1x16xf32>, vector<16x16xf32> into vector<1x16xf32>
func.func @linear(%x: tensor<1x64xf32>, %w: tensor<32x64xf32>, %c: tensor<1x32xf32>) -> tensor<1x32xf32> {
  %e = tensor.empty() : tensor<64x32xf32>
  %wt = linalg.transpose ins(%w : tensor<32x64xf32>) outs(%e : tensor<64x32xf32>) permutation = [1, 0]
  %0 = linalg.matmul ins(%x, %wt : tensor<1x64xf32>, tensor<64x32xf32>) outs(%c : tensor<1x32xf32>) -> tensor<1x32xf32>
  return %0 : tensor<1x32xf32>
}
