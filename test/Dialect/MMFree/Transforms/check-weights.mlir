// RUN: mmfree-opt %s -split-input-file --mmfree-check-weights -verify-diagnostics
// RUN: not mmfree-opt %s -split-input-file --mmfree-cpu-pipeline 2>&1 | FileCheck %s
// Invalid packed codes are found before lowering (the verifier checks only
// the op, so parsing them alone is fine):
// RUN: mmfree-opt %s -split-input-file | FileCheck %s --check-prefix=PARSE

// CHECK: error: 'mmfree.ternary_matmul' op packed weights hold an invalid code (0b11) or a nonzero weight past k = 4
// PARSE: mmfree.ternary_matmul

func.func @invalid_code(%x: tensor<1x4xi8>) {
  // Byte 0 = 0b11: not a ternary code.
  %w = arith.constant dense<[[[3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]]> : tensor<1x1x16xi8>
  // expected-error @+1 {{packed weights hold an invalid code (0b11) or a nonzero weight past k = 4}}
  %0 = mmfree.ternary_matmul %x, %w {k = 4 : i64} : tensor<1x4xi8>, tensor<1x1x16xi8> -> tensor<1x1xi16>
  return
}

// -----

func.func @code_past_k(%x: tensor<1x4xi8>) {
  // Byte 4 holds weight k = 4, past k = 4 weights.
  %w = arith.constant dense<[[[0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]]> : tensor<1x1x16xi8>
  // expected-error @+1 {{packed weights hold an invalid code (0b11) or a nonzero weight past k = 4}}
  %0 = mmfree.ternary_matmul %x, %w {k = 4 : i64} : tensor<1x4xi8>, tensor<1x1x16xi8> -> tensor<1x1xi16>
  return
}

// -----

// Valid codes, and a splat of zeros past K: no error.
func.func @valid(%x: tensor<1x4xi8>) -> tensor<1x2xi16> {
  %w = arith.constant dense<[[[1, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]], [[2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]]> : tensor<2x1x16xi8>
  %0 = mmfree.ternary_matmul %x, %w {k = 4 : i64} : tensor<1x4xi8>, tensor<2x1x16xi8> -> tensor<1x2xi16>
  return %0 : tensor<1x2xi16>
}

// -----

// A splat byte 0b10101010 puts -1 past k = 4: invalid.
func.func @splat_past_k(%x: tensor<1x4xi8>) {
  %w = arith.constant dense<-86> : tensor<3x1x16xi8>
  // expected-error @+1 {{packed weights hold an invalid code (0b11) or a nonzero weight past k = 4}}
  %0 = mmfree.ternary_matmul %x, %w {k = 4 : i64} : tensor<1x4xi8>, tensor<3x1x16xi8> -> tensor<1x3xi16>
  return
}

// -----

func.func @lut_split_dim(%x: tensor<4x8xf32>, %thr: tensor<1x15xf32>) {
  %dims = arith.constant dense<[[0, 1, 9, 2]]> : tensor<1x4xi32>
  // expected-error @+1 {{split dimension 9 is outside the input's 8 columns}}
  %0 = mmfree.lut_encode %x, %dims, %thr : tensor<4x8xf32>, tensor<1x4xi32>, tensor<1x15xf32> -> tensor<4x1xi8>
  return
}

// -----

func.func @lut_code_range(%t: tensor<1x16x2xi8>) {
  %c = arith.constant dense<[[3], [16]]> : tensor<2x1xi8>
  // expected-error @+1 {{code 16 is outside [0, 16)}}
  %0 = mmfree.lut_matmul %c, %t {accumulation = #mmfree<lut_accumulation exact>} : tensor<2x1xi8>, tensor<1x16x2xi8> -> tensor<2x2xi16>
  return
}

// -----

// A splat is checked once: 2^40 codes would not fit in memory.
func.func @lut_splat_code_range(%t: tensor<1x16x2xi8>) {
  %c = arith.constant dense<17> : tensor<1099511627776x1xi8>
  // expected-error @+1 {{code 17 is outside [0, 16)}}
  %0 = mmfree.lut_matmul %c, %t {accumulation = #mmfree<lut_accumulation exact>} : tensor<1099511627776x1xi8>, tensor<1x16x2xi8> -> tensor<1099511627776x2xi16>
  return
}

// -----

func.func @lut_splat_split_dim(%x: tensor<4x8xf32>, %thr: tensor<1x15xf32>) {
  %dims = arith.constant dense<8> : tensor<1x4xi32>
  // expected-error @+1 {{split dimension 8 is outside the input's 8 columns}}
  %0 = mmfree.lut_encode %x, %dims, %thr : tensor<4x8xf32>, tensor<1x4xi32>, tensor<1x15xf32> -> tensor<4x1xi8>
  return
}
