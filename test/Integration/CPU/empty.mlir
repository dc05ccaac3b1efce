// Zero-size shapes through the CPU pipeline: at compile time (the ops fold
// to their destinations) and at run time (a dynamic row count of 0 reaches
// the kernels, which must do nothing).
//
// RUN: mmfree-opt %s --mmfree-cpu-pipeline=target=x86-64-v4 | %run_cpu | FileCheck %s
// RUN: mmfree-opt %s --mmfree-cpu-pipeline=target=generic | %run_cpu | FileCheck %s

func.func @ternary(%x: tensor<?x64xi8>, %w: tensor<4x1x16xi8>) -> tensor<?x4xi32> {
  %r = mmfree.ternary_matmul %x, %w {k = 64} : tensor<?x64xi8>, tensor<4x1x16xi8> -> tensor<?x4xi32>
  return %r : tensor<?x4xi32>
}

func.func @lut(%c: tensor<?x2xi8>, %t: tensor<2x16x8xi8>) -> tensor<?x8xi16> {
  %r = mmfree.lut_matmul %c, %t {accumulation = #mmfree<lut_accumulation exact>} : tensor<?x2xi8>, tensor<2x16x8xi8> -> tensor<?x8xi16>
  return %r : tensor<?x8xi16>
}

func.func @no_channels(%x: tensor<3x64xi8>, %w: tensor<0x1x16xi8>) -> tensor<3x0xi32> {
  %r = mmfree.ternary_matmul %x, %w {k = 64} : tensor<3x64xi8>, tensor<0x1x16xi8> -> tensor<3x0xi32>
  return %r : tensor<3x0xi32>
}

func.func @lut_no_outputs(%c: tensor<4x2xi8>, %t: tensor<2x16x0xi8>) -> tensor<4x0xi16> {
  %r = mmfree.lut_matmul %c, %t {accumulation = #mmfree<lut_accumulation exact>} : tensor<4x2xi8>, tensor<2x16x0xi8> -> tensor<4x0xi16>
  return %r : tensor<4x0xi16>
}

func.func @lmul_no_k(%a: tensor<2x0xf32>, %b: tensor<0x4xf32>, %i: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %r = mmfree.lmul_matmul %a, %b, %i {mantissa_bits = 3 : i64} : tensor<2x0xf32>, tensor<0x4xf32>, tensor<2x4xf32> -> tensor<2x4xf32>
  return %r : tensor<2x4xf32>
}

func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %w = arith.constant dense<85> : tensor<4x1x16xi8>
  %x = tensor.empty() : tensor<0x64xi8>
  %xd = tensor.cast %x : tensor<0x64xi8> to tensor<?x64xi8>
  %acc = call @ternary(%xd, %w) : (tensor<?x64xi8>, tensor<4x1x16xi8>) -> tensor<?x4xi32>
  %rows = tensor.dim %acc, %c0 : tensor<?x4xi32>
  // CHECK: ternary rows: 0
  vector.print str "ternary rows: "
  vector.print %rows : index

  %t = arith.constant dense<1> : tensor<2x16x8xi8>
  %codes = tensor.empty() : tensor<0x2xi8>
  %cd = tensor.cast %codes : tensor<0x2xi8> to tensor<?x2xi8>
  %sums = call @lut(%cd, %t) : (tensor<?x2xi8>, tensor<2x16x8xi8>) -> tensor<?x8xi16>
  %lrows = tensor.dim %sums, %c0 : tensor<?x8xi16>
  // CHECK: lut rows: 0
  vector.print str "lut rows: "
  vector.print %lrows : index

  %x3 = arith.constant dense<1> : tensor<3x64xi8>
  %w0 = arith.constant dense<0> : tensor<0x1x16xi8>
  %none = call @no_channels(%x3, %w0) : (tensor<3x64xi8>, tensor<0x1x16xi8>) -> tensor<3x0xi32>
  %cols = tensor.dim %none, %c1 : tensor<3x0xi32>
  // CHECK: channels: 0
  vector.print str "channels: "
  vector.print %cols : index

  %c4 = arith.constant dense<1> : tensor<4x2xi8>
  %t0 = tensor.empty() : tensor<2x16x0xi8>
  %lut0 = call @lut_no_outputs(%c4, %t0) : (tensor<4x2xi8>, tensor<2x16x0xi8>) -> tensor<4x0xi16>
  %outs = tensor.dim %lut0, %c1 : tensor<4x0xi16>
  // CHECK: outputs: 0
  vector.print str "outputs: "
  vector.print %outs : index

  // The accumulator comes back unchanged.
  %a = tensor.empty() : tensor<2x0xf32>
  %b = tensor.empty() : tensor<0x4xf32>
  %init = arith.constant dense<[[1.5, -2.0, 0.25, 8.0], [3.0, 0.0, -1.0, 7.5]]> : tensor<2x4xf32>
  %out = call @lmul_no_k(%a, %b, %init) : (tensor<2x0xf32>, tensor<0x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %pad = arith.constant 0.0 : f32
  %v = vector.transfer_read %out[%c0, %c0], %pad : tensor<2x4xf32>, vector<2x4xf32>
  // CHECK: ( ( 1.5, -2, 0.25, 8 ), ( 3, 0, -1, 7.5 ) )
  vector.print %v : vector<2x4xf32>
  return
}
