// Ops with a zero-size M, N or row count fold to their destinations before
// GPU tiling (which would divide by a zero tile) and compile to a module
// without kernels for them.
// RUN: mmfree-opt %s --mmfree-gpu-pipeline | FileCheck %s
// CHECK-NOT: mmfree.
// CHECK-NOT: gpu.launch_func
// CHECK: llvm.func @ternary_no_rows
// CHECK: llvm.func @ternary_no_channels
// CHECK: llvm.func @encode_no_rows
// CHECK: llvm.func @lut_no_outputs
// CHECK: llvm.func @lmul_no_rows

func.func @ternary_no_rows(%x: tensor<0x64xi8>, %w: tensor<4x1x16xi8>) -> tensor<0x4xi32> {
  %r = mmfree.ternary_matmul %x, %w {k = 64} : tensor<0x64xi8>, tensor<4x1x16xi8> -> tensor<0x4xi32>
  return %r : tensor<0x4xi32>
}

func.func @ternary_no_channels(%x: tensor<2x64xi8>, %w: tensor<0x1x16xi8>) -> tensor<2x0xi32> {
  %r = mmfree.ternary_matmul %x, %w {k = 64} : tensor<2x64xi8>, tensor<0x1x16xi8> -> tensor<2x0xi32>
  return %r : tensor<2x0xi32>
}

func.func @encode_no_rows(%x: tensor<0x8xf32>, %d: tensor<2x4xi32>, %t: tensor<2x15xf32>) -> tensor<0x2xi8> {
  %r = mmfree.lut_encode %x, %d, %t : tensor<0x8xf32>, tensor<2x4xi32>, tensor<2x15xf32> -> tensor<0x2xi8>
  return %r : tensor<0x2xi8>
}

func.func @lut_no_outputs(%c: tensor<4x2xi8>, %t: tensor<2x16x0xi8>) -> tensor<4x0xi16> {
  %r = mmfree.lut_matmul %c, %t {accumulation = #mmfree<lut_accumulation exact>} : tensor<4x2xi8>, tensor<2x16x0xi8> -> tensor<4x0xi16>
  return %r : tensor<4x0xi16>
}

func.func @lmul_no_rows(%a: tensor<0x4xf32>, %b: tensor<4x8xf32>, %i: tensor<0x8xf32>) -> tensor<0x8xf32> {
  %r = mmfree.lmul_matmul %a, %b, %i {mantissa_bits = 3 : i64} : tensor<0x4xf32>, tensor<4x8xf32>, tensor<0x8xf32> -> tensor<0x8xf32>
  return %r : tensor<0x8xf32>
}
