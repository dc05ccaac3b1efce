// RUN: mmfree-opt %s -split-input-file --mmfree-vectorize-matmul=target=x86-64-v4 --canonicalize | FileCheck %s
// RUN: mmfree-opt %s -split-input-file --mmfree-vectorize-matmul=target=x86-64-v3 --canonicalize --loop-invariant-subset-hoisting | FileCheck %s --check-prefix=AVX2

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

// nn.Linear at batch 1 (a GEMV): the weight transpose is read through the
// indexing map instead of being copied; K is split into K/16 x 16 lanes
// (upstream splitReduction), each tile 8 rows x 16 lanes of elementwise
// FMAs into accumulators (AVX-512: 8 zmm), each row's lanes reduced once at
// the end. On AVX2, 4 rows (8 ymm); hoisting the loop-invariant subsets (as
// the pipeline does) carries the accumulators in registers over K.
// CHECK-LABEL: func @linear
// CHECK-NOT: linalg.transpose
// CHECK-NOT: vector.contract
// CHECK: scf.for {{.*}} = %c0 to %c32 step %c8
// CHECK:   scf.for {{.*}} = %c0 to %c4 step %c1
// CHECK:     vector.transfer_read {{.*}} : tensor<8x16xf32>, vector<8x16xf32>
// CHECK:     vector.fma {{.*}} : vector<8x16xf32>
// CHECK: scf.for {{.*}} = %c0 to %c32 step %c8
// CHECK-COUNT-8: vector.reduction <add>
// AVX2-LABEL: func @linear
// AVX2: scf.for {{.*}} = %c0 to %c32 step %c4
// AVX2:   %[[ACC:.*]] = vector.transfer_read {{.*}} : tensor<4x16xf32>, vector<4x16xf32>
// AVX2:   scf.for {{.*}} = %c0 to %c4 step %c1 iter_args({{.*}}, %[[SUM:.*]] = %[[ACC]])
// AVX2:     vector.fma {{.*}}, %[[SUM]] : vector<4x16xf32>
// AVX2:   vector.transfer_write
// AVX2: scf.for {{.*}} = %c0 to %c32 step %c4
// AVX2-COUNT-4: vector.reduction <add>
func.func @linear(%x: tensor<1x64xf32>, %w: tensor<32x64xf32>, %c: tensor<1x32xf32>) -> tensor<1x32xf32> {
  %e = tensor.empty() : tensor<64x32xf32>
  %wt = linalg.transpose ins(%w : tensor<32x64xf32>) outs(%e : tensor<64x32xf32>) permutation = [1, 0]
  %0 = linalg.matmul ins(%x, %wt : tensor<1x64xf32>, tensor<64x32xf32>) outs(%c : tensor<1x32xf32>) -> tensor<1x32xf32>
  return %0 : tensor<1x32xf32>
}

// -----

// An f16 head widened to f32 before the product (torch-mlir's
// `weight.float()`): the widening is folded into the matmul, each tile
// extends its own 8 x 16 halves; no f32 copy of the weight.
// CHECK-LABEL: func @f16_linear
// CHECK-NOT: tensor<32x64xf32>
// CHECK: vector.transfer_read {{.*}} : tensor<8x16xf16>, vector<8x16xf16>
// CHECK: arith.extf {{.*}} : vector<8x16xf16> to vector<8x16xf32>
// CHECK: vector.fma {{.*}} : vector<8x16xf32>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @f16_linear(%x: tensor<1x64xf32>, %w: tensor<32x64xf16>, %c: tensor<1x32xf32>) -> tensor<1x32xf32> {
  %e = tensor.empty() : tensor<32x64xf32>
  %wide = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%w : tensor<32x64xf16>) outs(%e : tensor<32x64xf32>) {
  ^bb0(%in: f16, %out: f32):
    %f = arith.extf %in : f16 to f32
    linalg.yield %f : f32
  } -> tensor<32x64xf32>
  %e2 = tensor.empty() : tensor<64x32xf32>
  %wt = linalg.transpose ins(%wide : tensor<32x64xf32>) outs(%e2 : tensor<64x32xf32>) permutation = [1, 0]
  %0 = linalg.matmul ins(%x, %wt : tensor<1x64xf32>, tensor<64x32xf32>) outs(%c : tensor<1x32xf32>) -> tensor<1x32xf32>
  return %0 : tensor<1x32xf32>
}

// -----

// Batch 4 on a bf16 weight: the usual 4 x 16 x 16 tiles, B extended after
// its read, one vector.contract per tile.
// CHECK-LABEL: func @bf16_matmul
// CHECK: arith.extf {{.*}} : vector<16x16xbf16> to vector<16x16xf32>
// CHECK: vector.contract {{.*}} : vector<4x16xf32>, vector<16x16xf32> into vector<4x16xf32>
func.func @bf16_matmul(%x: tensor<4x64xf32>, %w: tensor<32x64xbf16>, %c: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %0 = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>] ins(%x, %w : tensor<4x64xf32>, tensor<32x64xbf16>) outs(%c : tensor<4x32xf32>) -> tensor<4x32xf32>
  return %0 : tensor<4x32xf32>
}

// -----

// Attention's batch matmuls (scores, weighted values): tiles of
// 1 x 1 x 16 x 16, each one vector.contract, instead of scalar loops.
// CHECK-LABEL: func @scores
// CHECK: scf.for {{.*}} = %c0 to %c4 step %c1
// CHECK: vector.contract {{.*}} : vector<1x1x16xf32>, vector<1x16x16xf32> into vector<1x1x16xf32>
func.func @scores(%q: tensor<4x1x32xf32>, %k: tensor<4x32x64xf32>, %c: tensor<4x1x64xf32>) -> tensor<4x1x64xf32> {
  %0 = linalg.batch_matmul ins(%q, %k : tensor<4x1x32xf32>, tensor<4x32x64xf32>) outs(%c : tensor<4x1x64xf32>) -> tensor<4x1x64xf32>
  return %0 : tensor<4x1x64xf32>
}
