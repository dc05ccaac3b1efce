// RUN: mmfree-opt %s | mmfree-opt | FileCheck %s
// RUN: mmfree-opt %s --mlir-print-op-generic | mmfree-opt | FileCheck %s

// CHECK-LABEL: func @int8_path
func.func @int8_path(%x: tensor<4x100xf32>, %w: tensor<32x2x16xi8>) -> tensor<4x32xf32> {
  // CHECK: %{{.*}}, %{{.*}} = mmfree.quantize_rows %{{.*}} : tensor<4x100xf32> -> tensor<4x100xi8>, tensor<4xf32>
  %xq, %q = mmfree.quantize_rows %x : tensor<4x100xf32> -> tensor<4x100xi8>, tensor<4xf32>
  // CHECK: mmfree.ternary_matmul %{{.*}}, %{{.*}} {k = 100 : i64} : tensor<4x100xi8>, tensor<32x2x16xi8> -> tensor<4x32xi32>
  %acc = mmfree.ternary_matmul %xq, %w {k = 100 : i64} : tensor<4x100xi8>, tensor<32x2x16xi8> -> tensor<4x32xi32>
  %s = arith.constant dense<0.5> : tensor<32xf32>
  // CHECK: mmfree.dequantize %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4x32xi32>, tensor<32xf32>, tensor<4xf32>) -> tensor<4x32xf32>
  %y = mmfree.dequantize %acc, %s, %q : (tensor<4x32xi32>, tensor<32xf32>, tensor<4xf32>) -> tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}

// CHECK-LABEL: func @float_path_dynamic_rows
func.func @float_path_dynamic_rows(%x: tensor<?x64xf32>, %w: tensor<8x1x16xi8>) -> tensor<?x8xf32> {
  // CHECK: mmfree.ternary_matmul %{{.*}}, %{{.*}} {k = 64 : i64} : tensor<?x64xf32>, tensor<8x1x16xi8> -> tensor<?x8xf32>
  %acc = mmfree.ternary_matmul %x, %w {k = 64 : i64} : tensor<?x64xf32>, tensor<8x1x16xi8> -> tensor<?x8xf32>
  %s = arith.constant dense<0.5> : tensor<1xf32>
  // CHECK: mmfree.dequantize %{{.*}}, %{{.*}} : (tensor<?x8xf32>, tensor<1xf32>) -> tensor<?x8xf32>
  %y = mmfree.dequantize %acc, %s : (tensor<?x8xf32>, tensor<1xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// CHECK-LABEL: func @narrow_accumulator
func.func @narrow_accumulator(%x: tensor<1x255xi8>, %w: tensor<2x4x16xi8>) -> tensor<1x2xi16> {
  // CHECK: -> tensor<1x2xi16>
  %acc = mmfree.ternary_matmul %x, %w {k = 255 : i64} : tensor<1x255xi8>, tensor<2x4x16xi8> -> tensor<1x2xi16>
  return %acc : tensor<1x2xi16>
}

// CHECK-LABEL: func @lmul
func.func @lmul(%a: tensor<4x64xbf16>, %b: tensor<32x64xbf16>, %c: tensor<4x32xf32>, %x: f8E4M3FN, %v: vector<8xf16>, %t: tensor<?x3xf8E5M2>) -> tensor<4x32xf32> {
  // CHECK: mmfree.lmul_matmul %{{.*}}, %{{.*}}, %{{.*}} {mantissa_bits = 7 : i64, transpose_rhs} : tensor<4x64xbf16>, tensor<32x64xbf16>, tensor<4x32xf32> -> tensor<4x32xf32>
  %0 = mmfree.lmul_matmul %a, %b, %c {mantissa_bits = 7 : i64, transpose_rhs} : tensor<4x64xbf16>, tensor<32x64xbf16>, tensor<4x32xf32> -> tensor<4x32xf32>
  // CHECK: mmfree.lmul %{{.*}}, %{{.*}} {mantissa_bits = 3 : i64} : f8E4M3FN
  %1 = mmfree.lmul %x, %x {mantissa_bits = 3 : i64} : f8E4M3FN
  // CHECK: mmfree.lmul %{{.*}}, %{{.*}} {mantissa_bits = 10 : i64} : vector<8xf16>
  %2 = mmfree.lmul %v, %v {mantissa_bits = 10 : i64} : vector<8xf16>
  // CHECK: mmfree.lmul %{{.*}}, %{{.*}} {mantissa_bits = 1 : i64} : tensor<?x3xf8E5M2>
  %3 = mmfree.lmul %t, %t {mantissa_bits = 1 : i64} : tensor<?x3xf8E5M2>
  return %0 : tensor<4x32xf32>
}

// CHECK-LABEL: func @lut
func.func @lut(%x: tensor<?x64xf32>, %dims: tensor<8x4xi32>, %thr: tensor<8x15xf32>, %t: tensor<8x16x10xi8>) -> (tensor<?x10xi16>, tensor<?x10xi8>) {
  // CHECK: mmfree.lut_encode %{{.*}}, %{{.*}}, %{{.*}} : tensor<?x64xf32>, tensor<8x4xi32>, tensor<8x15xf32> -> tensor<?x8xi8>
  %codes = mmfree.lut_encode %x, %dims, %thr : tensor<?x64xf32>, tensor<8x4xi32>, tensor<8x15xf32> -> tensor<?x8xi8>
  // CHECK: mmfree.lut_matmul %{{.*}}, %{{.*}} {accumulation = #mmfree<lut_accumulation exact>} : tensor<?x8xi8>, tensor<8x16x10xi8> -> tensor<?x10xi16>
  %s = mmfree.lut_matmul %codes, %t {accumulation = #mmfree<lut_accumulation exact>} : tensor<?x8xi8>, tensor<8x16x10xi8> -> tensor<?x10xi16>
  // CHECK: mmfree.lut_matmul %{{.*}}, %{{.*}} {accumulation = #mmfree<lut_accumulation average>} : tensor<?x8xi8>, tensor<8x16x10xi8> -> tensor<?x10xi8>
  %a = mmfree.lut_matmul %codes, %t {accumulation = #mmfree<lut_accumulation average>} : tensor<?x8xi8>, tensor<8x16x10xi8> -> tensor<?x10xi8>
  return %s, %a : tensor<?x10xi16>, tensor<?x10xi8>
}

// CHECK-LABEL: func @lut_column_major
func.func @lut_column_major(%xt: tensor<64x?xf32>, %dims: tensor<8x4xi32>, %thr: tensor<8x15xf32>) -> tensor<?x8xi8> {
  // CHECK: mmfree.lut_encode %{{.*}}, %{{.*}}, %{{.*}} {transpose_input} : tensor<64x?xf32>, tensor<8x4xi32>, tensor<8x15xf32> -> tensor<?x8xi8>
  %codes = mmfree.lut_encode %xt, %dims, %thr {transpose_input} : tensor<64x?xf32>, tensor<8x4xi32>, tensor<8x15xf32> -> tensor<?x8xi8>
  return %codes : tensor<?x8xi8>
}

// CHECK-LABEL: func @shuffle_bytes
func.func @shuffle_bytes(%t: vector<32xi8>, %i: vector<32xi8>) -> vector<32xi8> {
  // CHECK: mmfree.x86_shuffle_bytes %{{.*}}, %{{.*}} : vector<32xi8>
  %r = mmfree.x86_shuffle_bytes %t, %i : vector<32xi8>
  return %r : vector<32xi8>
}

// CHECK-LABEL: func @permute_lanes
func.func @permute_lanes(%t: vector<16xf32>, %i: vector<16xi32>) -> vector<16xf32> {
  // CHECK: mmfree.x86_permute_lanes %{{.*}}, %{{.*}} : vector<16xf32>, vector<16xi32>
  %r = mmfree.x86_permute_lanes %t, %i : vector<16xf32>, vector<16xi32>
  return %r : vector<16xf32>
}

// CHECK-LABEL: func @dot_bytes
func.func @dot_bytes(%acc: vector<16xi32>, %a: vector<64xi8>) -> vector<16xi32> {
  // CHECK: mmfree.x86_dot_bytes %{{.*}}, %{{.*}}, %{{.*}} : vector<16xi32>, vector<64xi8>
  %r = mmfree.x86_dot_bytes %acc, %a, %a : vector<16xi32>, vector<64xi8>
  return %r : vector<16xi32>
}

// The verifier does not read constant operands (mmfree-check-weights does,
// a splat once): 2^40 codes verify at once.
// CHECK-LABEL: func @splat_codes
func.func @splat_codes(%t: tensor<1x16x2xi8>) -> tensor<1099511627776x2xi16> {
  %c = arith.constant dense<3> : tensor<1099511627776x1xi8>
  // CHECK: mmfree.lut_matmul
  %r = mmfree.lut_matmul %c, %t {accumulation = #mmfree<lut_accumulation exact>} : tensor<1099511627776x1xi8>, tensor<1x16x2xi8> -> tensor<1099511627776x2xi16>
  return %r : tensor<1099511627776x2xi16>
}
