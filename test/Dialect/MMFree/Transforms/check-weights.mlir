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
