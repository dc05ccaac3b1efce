// RUN: mmfree-opt %s --split-input-file --mmfree-gpu-tile --verify-diagnostics | FileCheck %s
// RUN: mmfree-opt %s --split-input-file --mmfree-gpu-tile=host-executable --verify-diagnostics | FileCheck %s --check-prefix=HOST

// Blocks over (channel tiles, row tiles), three thread phases (stage the
// rows, decode 4 blocks on 4 lanes x 32 channels, reduce the lanes),
// staging in workgroup memory; the host-executable form differs only in
// that memory space.
// CHECK-DAG: memref.global "private" @__mmfree_shared{{.*}} : memref<32x4x8xi32, #gpu.address_space<workgroup>>
// CHECK-DAG: memref.global "private" @__mmfree_shared{{.*}} : memref<8x256xi8, #gpu.address_space<workgroup>>
// CHECK-LABEL: func.func @ternary
// CHECK: bufferization.to_buffer
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (1, 1)
// CHECK: scf.forall (%{{.*}}) in (128)
// CHECK: } {mapping = [#gpu.thread<linear_dim_0>]}
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (32, 4)
// CHECK: vector.load {{.*}} {alignment = 16 : i64} : memref<8x4x16xi8>, vector<16xi8>
// CHECK-NOT: arith.muli {{.*}} : i32
// CHECK: } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
// CHECK: scf.forall (%{{.*}}) in (32)
// CHECK: arith.trunci {{.*}} : i32 to i16
// CHECK: } {mapping = [#gpu.block<x>, #gpu.block<y>], mmfree.gpu_block_dims = array<i64: 128, 1, 1>}
// CHECK: bufferization.to_tensor
// HOST: memref.global "private" @__mmfree_shared{{.*}} : memref<32x4x8xi32>
// HOST-NOT: workgroup
func.func @ternary(%x: tensor<8x200xi8>, %w: tensor<8x4x16xi8>) -> tensor<8x8xi16> {
  %acc = mmfree.ternary_matmul %x, %w {k = 200 : i64}
      : tensor<8x200xi8>, tensor<8x4x16xi8> -> tensor<8x8xi16>
  return %acc : tensor<8x8xi16>
}

// -----

// Encode: 16 rows x 8 codebooks per block; lookups: 10 outputs (padded to
// 16 lanes) x 8 rows per block, the average tree unrolled.
// CHECK-LABEL: func.func @lut
// CHECK: scf.forall (%{{.*}}) in (3)
// CHECK: arith.cmpf ogt
// CHECK: } {mapping = [#gpu.block<x>], mmfree.gpu_block_dims = array<i64: 128, 1, 1>}
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (1, 5)
// CHECK: arith.shrui
// CHECK-NOT: arith.muli {{.*}} : i16
// CHECK: arith.trunci {{.*}} : i16 to i8
func.func @lut(%x: tensor<33x64xf32>, %d: tensor<8x4xi32>, %t: tensor<8x15xf32>, %tab: tensor<8x16x10xi8>) -> tensor<33x10xi8> {
  %c = mmfree.lut_encode %x, %d, %t : tensor<33x64xf32>, tensor<8x4xi32>, tensor<8x15xf32> -> tensor<33x8xi8>
  %s = mmfree.lut_matmul %c, %tab {accumulation = #mmfree<lut_accumulation average>}
      : tensor<33x8xi8>, tensor<8x16x10xi8> -> tensor<33x10xi8>
  return %s : tensor<33x10xi8>
}

// -----

// CHECK-LABEL: func.func @lmul
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (2, 1)
// CHECK: scf.for
// CHECK: arith.addf {{.*}} : f32
// CHECK-NOT: arith.mulf
func.func @lmul(%a: tensor<3x70xf16>, %b: tensor<70x40xf16>, %c: tensor<3x40xf32>) -> tensor<3x40xf32> {
  %r = mmfree.lmul_matmul %a, %b, %c {mantissa_bits = 10 : i64}
      : tensor<3x70xf16>, tensor<70x40xf16>, tensor<3x40xf32> -> tensor<3x40xf32>
  return %r : tensor<3x40xf32>
}

// -----

func.func @dynamic(%x: tensor<?x64xi8>, %w: tensor<8x1x16xi8>) -> tensor<?x8xi32> {
  // expected-error @below {{cannot map to the GPU: dynamic sizes cannot be mapped}}
  %acc = mmfree.ternary_matmul %x, %w {k = 64 : i64}
      : tensor<?x64xi8>, tensor<8x1x16xi8> -> tensor<?x8xi32>
  return %acc : tensor<?x8xi32>
}

// -----

func.func @float_ternary(%x: tensor<2x64xf32>, %w: tensor<8x1x16xi8>) -> tensor<2x8xf32> {
  // expected-error @below {{cannot map to the GPU: float activations are not mapped}}
  %acc = mmfree.ternary_matmul %x, %w {k = 64 : i64}
      : tensor<2x64xf32>, tensor<8x1x16xi8> -> tensor<2x8xf32>
  return %acc : tensor<2x8xf32>
}

// -----

func.func @long_rows(%x: tensor<1x40000xi8>, %w: tensor<8x625x16xi8>) -> tensor<1x8xi32> {
  // expected-error @below {{cannot map to the GPU: K = 40000 needs 40000 bytes of shared memory per activation row}}
  %acc = mmfree.ternary_matmul %x, %w {k = 40000 : i64}
      : tensor<1x40000xi8>, tensor<8x625x16xi8> -> tensor<1x8xi32>
  return %acc : tensor<1x8xi32>
}

// -----

func.func @many_codebooks(%c: tensor<4x80xi8>, %tab: tensor<80x16x32xi8>) -> tensor<4x32xi16> {
  // expected-error @below {{cannot map to the GPU: 80 codebooks' tables exceed}}
  %s = mmfree.lut_matmul %c, %tab {accumulation = #mmfree<lut_accumulation exact>}
      : tensor<4x80xi8>, tensor<80x16x32xi8> -> tensor<4x32xi16>
  return %s : tensor<4x32xi16>
}
