// RUN: mmfree-opt %s --canonicalize --split-input-file | FileCheck %s

// Ops whose results have no elements compute nothing: they fold to their
// destinations (tensor.empty of the reified shape, or the init).

// CHECK-LABEL: func @ternary_no_rows
// CHECK-NOT: mmfree.
// CHECK: %[[E:.*]] = tensor.empty() : tensor<0x4xi32>
// CHECK: return %[[E]]
func.func @ternary_no_rows(%x: tensor<0x64xi8>, %w: tensor<4x1x16xi8>) -> tensor<0x4xi32> {
  %r = mmfree.ternary_matmul %x, %w {k = 64} : tensor<0x64xi8>, tensor<4x1x16xi8> -> tensor<0x4xi32>
  return %r : tensor<0x4xi32>
}

// -----

// A dynamic row count keeps its size.
// CHECK-LABEL: func @ternary_no_channels
// CHECK-SAME: (%[[X:.*]]: tensor<?x64xi8>
// CHECK: %[[M:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[E:.*]] = tensor.empty(%[[M]]) : tensor<?x0xi32>
// CHECK: return %[[E]]
func.func @ternary_no_channels(%x: tensor<?x64xi8>, %w: tensor<0x1x16xi8>) -> tensor<?x0xi32> {
  %r = mmfree.ternary_matmul %x, %w {k = 64} : tensor<?x64xi8>, tensor<0x1x16xi8> -> tensor<?x0xi32>
  return %r : tensor<?x0xi32>
}

// -----

// CHECK-LABEL: func @quantize_no_rows
// CHECK-DAG: %[[Q:.*]] = tensor.empty() : tensor<0x8xi8>
// CHECK-DAG: %[[S:.*]] = tensor.empty() : tensor<0xf32>
// CHECK: return %[[Q]], %[[S]]
func.func @quantize_no_rows(%x: tensor<0x8xf32>) -> (tensor<0x8xi8>, tensor<0xf32>) {
  %q, %s = mmfree.quantize_rows %x : tensor<0x8xf32> -> tensor<0x8xi8>, tensor<0xf32>
  return %q, %s : tensor<0x8xi8>, tensor<0xf32>
}

// -----

// Quantizing rows of no columns still gives each row a scale: kept.
// CHECK-LABEL: func @quantize_no_columns
// CHECK: mmfree.quantize_rows
func.func @quantize_no_columns(%x: tensor<3x0xf32>) -> (tensor<3x0xi8>, tensor<3xf32>) {
  %q, %s = mmfree.quantize_rows %x : tensor<3x0xf32> -> tensor<3x0xi8>, tensor<3xf32>
  return %q, %s : tensor<3x0xi8>, tensor<3xf32>
}

// -----

// An L-Mul product over K = 0 leaves the accumulator unchanged.
// CHECK-LABEL: func @lmul_no_k
// CHECK-SAME: %[[INIT:[^:]*]]: tensor<4x8xf32>
// CHECK-NOT: mmfree.
// CHECK: return %[[INIT]]
func.func @lmul_no_k(%a: tensor<4x0xf32>, %b: tensor<0x8xf32>, %i: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %r = mmfree.lmul_matmul %a, %b, %i {mantissa_bits = 3 : i64} : tensor<4x0xf32>, tensor<0x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func @lut_no_outputs
// CHECK-NOT: mmfree.
// CHECK: tensor.empty() : tensor<4x0xi16>
func.func @lut_no_outputs(%c: tensor<4x2xi8>, %t: tensor<2x16x0xi8>) -> tensor<4x0xi16> {
  %r = mmfree.lut_matmul %c, %t {accumulation = #mmfree<lut_accumulation exact>} : tensor<4x2xi8>, tensor<2x16x0xi8> -> tensor<4x0xi16>
  return %r : tensor<4x0xi16>
}

// -----

// CHECK-LABEL: func @encode_no_rows
// CHECK-NOT: mmfree.
// CHECK: tensor.empty() : tensor<0x2xi8>
func.func @encode_no_rows(%x: tensor<0x8xf32>, %d: tensor<2x4xi32>, %t: tensor<2x15xf32>) -> tensor<0x2xi8> {
  %r = mmfree.lut_encode %x, %d, %t : tensor<0x8xf32>, tensor<2x4xi32>, tensor<2x15xf32> -> tensor<0x2xi8>
  return %r : tensor<0x2xi8>
}

// -----

// CHECK-LABEL: func @dequantize_no_rows
// CHECK-NOT: mmfree.
// CHECK: tensor.empty() : tensor<0x4xf32>
func.func @dequantize_no_rows(%acc: tensor<0x4xi32>, %ws: tensor<1xf32>, %rs: tensor<0xf32>) -> tensor<0x4xf32> {
  %r = mmfree.dequantize %acc, %ws, %rs : (tensor<0x4xi32>, tensor<1xf32>, tensor<0xf32>) -> tensor<0x4xf32>
  return %r : tensor<0x4xf32>
}

// -----

// Work left: nothing folds.
// CHECK-LABEL: func @kept
// CHECK: mmfree.ternary_matmul
func.func @kept(%x: tensor<?x64xi8>, %w: tensor<4x1x16xi8>) -> tensor<?x4xi32> {
  %r = mmfree.ternary_matmul %x, %w {k = 64} : tensor<?x64xi8>, tensor<4x1x16xi8> -> tensor<?x4xi32>
  return %r : tensor<?x4xi32>
}
