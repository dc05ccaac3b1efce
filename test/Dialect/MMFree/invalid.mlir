// RUN: mmfree-opt %s -split-input-file -verify-diagnostics

func.func @quantize_shape(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{quantized shape 'tensor<4x9xi8>' does not match input shape 'tensor<4x8xf32>'}}
  %xq, %q = mmfree.quantize_rows %x : tensor<4x8xf32> -> tensor<4x9xi8>, tensor<4xf32>
  return
}

// -----

func.func @quantize_scale(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{expects one scale per input row, got 'tensor<3xf32>'}}
  %xq, %q = mmfree.quantize_rows %x : tensor<4x8xf32> -> tensor<4x8xi8>, tensor<3xf32>
  return
}

// -----

func.func @quantize_type(%x: tensor<4x8xf16>) {
  // expected-error @+1 {{operand #0 must be 2D tensor of 32-bit float values}}
  %xq, %q = mmfree.quantize_rows %x : tensor<4x8xf16> -> tensor<4x8xi8>, tensor<4xf32>
  return
}

// -----

func.func @k_mismatch(%x: tensor<2x10xi8>, %w: tensor<3x1x16xi8>) {
  // expected-error @+1 {{input has 10 columns but k = 11}}
  %0 = mmfree.ternary_matmul %x, %w {k = 11 : i64} : tensor<2x10xi8>, tensor<3x1x16xi8> -> tensor<2x3xi32>
  return
}

// -----

func.func @k_positive(%x: tensor<2x10xi8>, %w: tensor<3x1x16xi8>) {
  // expected-error @+1 {{attribute 'k' failed to satisfy constraint}}
  %0 = mmfree.ternary_matmul %x, %w {k = 0 : i64} : tensor<2x10xi8>, tensor<3x1x16xi8> -> tensor<2x3xi32>
  return
}

// -----

func.func @block_bytes(%x: tensor<2x10xi8>, %w: tensor<3x1x8xi8>) {
  // expected-error @+1 {{expects packed weights of shape N x ceil(k/64) x 16}}
  %0 = mmfree.ternary_matmul %x, %w {k = 10 : i64} : tensor<2x10xi8>, tensor<3x1x8xi8> -> tensor<2x3xi32>
  return
}

// -----

func.func @block_count(%x: tensor<2x65xi8>, %w: tensor<3x1x16xi8>) {
  // expected-error @+1 {{expects 2 blocks of 64 weights for k = 65, got 1}}
  %0 = mmfree.ternary_matmul %x, %w {k = 65 : i64} : tensor<2x65xi8>, tensor<3x1x16xi8> -> tensor<2x3xi32>
  return
}

// -----

func.func @result_shape(%x: tensor<2x10xi8>, %w: tensor<3x1x16xi8>) {
  // expected-error @+1 {{result shape 'tensor<2x4xi32>' does not match M = 2, N = 3}}
  %0 = mmfree.ternary_matmul %x, %w {k = 10 : i64} : tensor<2x10xi8>, tensor<3x1x16xi8> -> tensor<2x4xi32>
  return
}

// -----

func.func @mode_types(%x: tensor<2x10xi8>, %w: tensor<3x1x16xi8>) {
  // expected-error @+1 {{f32 activations need an f32 result and i8 activations an integer result, got 'i8' -> 'f32'}}
  %0 = mmfree.ternary_matmul %x, %w {k = 10 : i64} : tensor<2x10xi8>, tensor<3x1x16xi8> -> tensor<2x3xf32>
  return
}

// -----

func.func @overflow(%x: tensor<2x256xi8>, %w: tensor<3x4x16xi8>) {
  // expected-error @+1 {{accumulator 'i16' can overflow for k = 256; needs i32}}
  %0 = mmfree.ternary_matmul %x, %w {k = 256 : i64} : tensor<2x256xi8>, tensor<3x4x16xi8> -> tensor<2x3xi16>
  return
}

// -----

func.func @input_type(%x: tensor<2x10xi16>, %w: tensor<3x1x16xi8>) {
  // expected-error @+1 {{operand #0 must be 2D tensor of 8-bit signless integer or 32-bit float values}}
  %0 = mmfree.ternary_matmul %x, %w {k = 10 : i64} : tensor<2x10xi16>, tensor<3x1x16xi8> -> tensor<2x3xi32>
  return
}

// -----

func.func @dequant_scales(%acc: tensor<2x3xi32>, %ws: tensor<2xf32>, %rs: tensor<2xf32>) {
  // expected-error @+1 {{expects 1 or N = 3 weight scales, got 2}}
  %0 = mmfree.dequantize %acc, %ws, %rs : (tensor<2x3xi32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @dequant_row_scale_missing(%acc: tensor<2x3xi32>, %ws: tensor<1xf32>) {
  // expected-error @+1 {{integer accumulators need a row scale}}
  %0 = mmfree.dequantize %acc, %ws : (tensor<2x3xi32>, tensor<1xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @dequant_row_scale_extra(%acc: tensor<2x3xf32>, %ws: tensor<1xf32>, %rs: tensor<2xf32>) {
  // expected-error @+1 {{f32 accumulators take no row scale}}
  %0 = mmfree.dequantize %acc, %ws, %rs : (tensor<2x3xf32>, tensor<1xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @dequant_row_count(%acc: tensor<2x3xi32>, %ws: tensor<1xf32>, %rs: tensor<5xf32>) {
  // expected-error @+1 {{expects one row scale per row, got 'tensor<5xf32>'}}
  %0 = mmfree.dequantize %acc, %ws, %rs : (tensor<2x3xi32>, tensor<1xf32>, tensor<5xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @dequant_shape(%acc: tensor<2x3xi32>, %ws: tensor<1xf32>, %rs: tensor<2xf32>) {
  // expected-error @+1 {{result shape 'tensor<2x4xf32>' does not match accumulator shape 'tensor<2x3xi32>'}}
  %0 = mmfree.dequantize %acc, %ws, %rs : (tensor<2x3xi32>, tensor<1xf32>, tensor<2xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @lmul_bits(%x: bf16) {
  // expected-error @+1 {{mantissa_bits = 8 exceeds the 7 mantissa bits of 'bf16'}}
  %0 = mmfree.lmul %x, %x {mantissa_bits = 8 : i64} : bf16
  return
}

// -----

func.func @lmul_type(%x: f64) {
  // expected-error @+1 {{operand #0 must be L-Mul float}}
  %0 = mmfree.lmul %x, %x {mantissa_bits = 8 : i64} : f64
  return
}

// -----

func.func @lmul_int(%x: i32) {
  // expected-error @+1 {{operand #0 must be L-Mul float}}
  %0 = mmfree.lmul %x, %x {mantissa_bits = 1 : i64} : i32
  return
}

// -----

func.func @lmul_matmul_types(%a: tensor<2x4xbf16>, %b: tensor<4x3xf16>, %c: tensor<2x3xf32>) {
  // expected-error @+1 {{operands must have the same element type, got 'bf16' and 'f16'}}
  %0 = mmfree.lmul_matmul %a, %b, %c {mantissa_bits = 3 : i64} : tensor<2x4xbf16>, tensor<4x3xf16>, tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @lmul_matmul_k(%a: tensor<2x4xf32>, %b: tensor<5x3xf32>, %c: tensor<2x3xf32>) {
  // expected-error @+1 {{reduction sizes differ: lhs has 4, rhs has 5}}
  %0 = mmfree.lmul_matmul %a, %b, %c {mantissa_bits = 3 : i64} : tensor<2x4xf32>, tensor<5x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @lmul_matmul_transposed_k(%a: tensor<2x4xf32>, %b: tensor<4x3xf32>, %c: tensor<2x3xf32>) {
  // expected-error @+1 {{reduction sizes differ: lhs has 4, rhs has 3}}
  %0 = mmfree.lmul_matmul %a, %b, %c {mantissa_bits = 3 : i64, transpose_rhs} : tensor<2x4xf32>, tensor<4x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @lmul_matmul_init(%a: tensor<2x4xf32>, %b: tensor<4x3xf32>, %c: tensor<2x5xf32>) {
  // expected-error @+1 {{init shape 'tensor<2x5xf32>' does not match M = 2, N = 3}}
  %0 = mmfree.lmul_matmul %a, %b, %c {mantissa_bits = 3 : i64} : tensor<2x4xf32>, tensor<4x3xf32>, tensor<2x5xf32> -> tensor<2x5xf32>
  return
}

// -----

func.func @lmul_matmul_result(%a: tensor<2x4xf32>, %b: tensor<4x3xf32>, %c: tensor<2x3xf32>) {
  // expected-error @+1 {{result type must equal the init type 'tensor<2x3xf32>'}}
  %0 = mmfree.lmul_matmul %a, %b, %c {mantissa_bits = 3 : i64} : tensor<2x4xf32>, tensor<4x3xf32>, tensor<2x3xf32> -> tensor<?x3xf32>
  return
}

// -----

func.func @lmul_matmul_bits(%a: tensor<2x4xf8E5M2>, %b: tensor<4x3xf8E5M2>, %c: tensor<2x3xf32>) {
  // expected-error @+1 {{mantissa_bits = 3 exceeds the 2 mantissa bits of 'f8E5M2'}}
  %0 = mmfree.lmul_matmul %a, %b, %c {mantissa_bits = 3 : i64} : tensor<2x4xf8E5M2>, tensor<4x3xf8E5M2>, tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @lut_dims_shape(%x: tensor<4x64xf32>, %dims: tensor<8x3xi32>, %thr: tensor<8x15xf32>) {
  // expected-error @+1 {{expects one split dimension per tree level (C x 4), got 'tensor<8x3xi32>'}}
  %0 = mmfree.lut_encode %x, %dims, %thr : tensor<4x64xf32>, tensor<8x3xi32>, tensor<8x15xf32> -> tensor<4x8xi8>
  return
}

// -----

func.func @lut_thresholds(%x: tensor<4x64xf32>, %dims: tensor<8x4xi32>, %thr: tensor<8x16xf32>) {
  // expected-error @+1 {{expects C x 15 node thresholds, got 'tensor<8x16xf32>'}}
  %0 = mmfree.lut_encode %x, %dims, %thr : tensor<4x64xf32>, tensor<8x4xi32>, tensor<8x16xf32> -> tensor<4x8xi8>
  return
}

// -----

func.func @lut_codes_shape(%x: tensor<4x64xf32>, %dims: tensor<8x4xi32>, %thr: tensor<8x15xf32>) {
  // expected-error @+1 {{codes shape 'tensor<4x7xi8>' does not match N = 4, C = 8}}
  %0 = mmfree.lut_encode %x, %dims, %thr : tensor<4x64xf32>, tensor<8x4xi32>, tensor<8x15xf32> -> tensor<4x7xi8>
  return
}

// -----

func.func @lut_too_many_codebooks(%x: tensor<4x4xf32>, %dims: tensor<8x4xi32>, %thr: tensor<8x15xf32>) {
  // expected-error @+1 {{has 8 codebooks for only 4 columns}}
  %0 = mmfree.lut_encode %x, %dims, %thr : tensor<4x4xf32>, tensor<8x4xi32>, tensor<8x15xf32> -> tensor<4x8xi8>
  return
}

// -----

func.func @lut_tables_shape(%c: tensor<4x8xi8>, %t: tensor<8x15x10xi8>) {
  // expected-error @+1 {{expects tables of shape C x 16 x M, got 'tensor<8x15x10xi8>'}}
  %0 = mmfree.lut_matmul %c, %t {accumulation = #mmfree<lut_accumulation exact>} : tensor<4x8xi8>, tensor<8x15x10xi8> -> tensor<4x10xi16>
  return
}

// -----

func.func @lut_codebook_count(%c: tensor<4x7xi8>, %t: tensor<8x16x10xi8>) {
  // expected-error @+1 {{codes have 7 codebooks, tables 8}}
  %0 = mmfree.lut_matmul %c, %t {accumulation = #mmfree<lut_accumulation exact>} : tensor<4x7xi8>, tensor<8x16x10xi8> -> tensor<4x10xi16>
  return
}

// -----

func.func @lut_result_shape(%c: tensor<4x8xi8>, %t: tensor<8x16x10xi8>) {
  // expected-error @+1 {{result shape 'tensor<4x9xi16>' does not match N = 4, M = 10}}
  %0 = mmfree.lut_matmul %c, %t {accumulation = #mmfree<lut_accumulation exact>} : tensor<4x8xi8>, tensor<8x16x10xi8> -> tensor<4x9xi16>
  return
}

// -----

func.func @lut_exact_type(%c: tensor<4x8xi8>, %t: tensor<8x16x10xi8>) {
  // expected-error @+1 {{exact accumulation gives i16 sums, got 'i8'}}
  %0 = mmfree.lut_matmul %c, %t {accumulation = #mmfree<lut_accumulation exact>} : tensor<4x8xi8>, tensor<8x16x10xi8> -> tensor<4x10xi8>
  return
}

// -----

func.func @lut_average_type(%c: tensor<4x8xi8>, %t: tensor<8x16x10xi8>) {
  // expected-error @+1 {{average accumulation gives i8 averages, got 'i16'}}
  %0 = mmfree.lut_matmul %c, %t {accumulation = #mmfree<lut_accumulation average>} : tensor<4x8xi8>, tensor<8x16x10xi8> -> tensor<4x10xi16>
  return
}

// -----

func.func @lut_overflow(%c: tensor<4x300xi8>, %t: tensor<300x16x10xi8>) {
  // expected-error @+1 {{16-bit sums of 300 codebooks can overflow}}
  %0 = mmfree.lut_matmul %c, %t {accumulation = #mmfree<lut_accumulation exact>} : tensor<4x300xi8>, tensor<300x16x10xi8> -> tensor<4x10xi16>
  return
}

// -----

func.func @ternary_dynamic_weights(%x: tensor<2x100xi8>, %w: tensor<?x2x16xi8>) {
  // expected-error @+1 {{expects packed weights with a static shape, got 'tensor<?x2x16xi8>'}}
  %0 = mmfree.ternary_matmul %x, %w {k = 100 : i64} : tensor<2x100xi8>, tensor<?x2x16xi8> -> tensor<2x?xi32>
  return
}

// -----

func.func @lut_dynamic_tables(%c: tensor<4x8xi8>, %t: tensor<8x16x?xi8>) {
  // expected-error @+1 {{expects tables with a static shape, got 'tensor<8x16x?xi8>'}}
  %0 = mmfree.lut_matmul %c, %t {accumulation = #mmfree<lut_accumulation exact>} : tensor<4x8xi8>, tensor<8x16x?xi8> -> tensor<4x?xi16>
  return
}

// -----

func.func @lut_dynamic_trees(%x: tensor<4x64xf32>, %dims: tensor<?x4xi32>, %thr: tensor<?x15xf32>) {
  // expected-error @+1 {{expects split dimensions and thresholds with static shapes}}
  %0 = mmfree.lut_encode %x, %dims, %thr : tensor<4x64xf32>, tensor<?x4xi32>, tensor<?x15xf32> -> tensor<4x?xi8>
  return
}

// -----

func.func @lut_column_major_shape(%xt: tensor<64x4xf32>, %dims: tensor<8x4xi32>, %thr: tensor<8x15xf32>) {
  // expected-error @+1 {{codes shape 'tensor<64x8xi8>' does not match N = 4, C = 8}}
  %0 = mmfree.lut_encode %xt, %dims, %thr {transpose_input} : tensor<64x4xf32>, tensor<8x4xi32>, tensor<8x15xf32> -> tensor<64x8xi8>
  return
}

// -----

func.func @shuffle_bytes_width(%t: vector<8xi8>) {
  // expected-error @+1 {{operand #0 must be vector of 8-bit signless integer values of length 16/32/64}}
  %0 = mmfree.x86_shuffle_bytes %t, %t : vector<8xi8>
  return
}

// -----

func.func @permute_lanes_width(%t: vector<8xf32>, %i: vector<8xi32>) {
  // expected-error @+1 {{operand #0 must be vector of 32-bit float values of length 16}}
  %0 = mmfree.x86_permute_lanes %t, %i : vector<8xf32>, vector<8xi32>
  return
}

// -----

func.func @dot_bytes_width(%acc: vector<4xi32>, %a: vector<16xi8>) {
  // expected-error @+1 {{operand #0 must be vector of 32-bit signless integer values of length 16/8}}
  %0 = mmfree.x86_dot_bytes %acc, %a, %a : vector<4xi32>, vector<16xi8>
  return
}

// -----

func.func @dot_bytes_lanes(%acc: vector<8xi32>, %a: vector<64xi8>) {
  // expected-error @+1 {{needs 4 bytes per i32 lane: 'vector<64xi8>' for 'vector<8xi32>'}}
  %0 = mmfree.x86_dot_bytes %acc, %a, %a : vector<8xi32>, vector<64xi8>
  return
}

// -----

func.func @lut_encode_no_codebooks(%x: tensor<4x8xf32>, %dims: tensor<0x4xi32>, %thr: tensor<0x15xf32>) {
  // expected-error @+1 {{needs at least one codebook}}
  %0 = mmfree.lut_encode %x, %dims, %thr : tensor<4x8xf32>, tensor<0x4xi32>, tensor<0x15xf32> -> tensor<4x0xi8>
  return
}

// -----

func.func @lut_no_codebooks(%c: tensor<4x0xi8>, %t: tensor<0x16x8xi8>) {
  // expected-error @+1 {{needs at least one codebook}}
  %0 = mmfree.lut_matmul %c, %t {accumulation = #mmfree<lut_accumulation exact>} : tensor<4x0xi8>, tensor<0x16x8xi8> -> tensor<4x8xi16>
  return
}

// -----

func.func @ternary_dynamic_n(%x: tensor<4x64xi8>, %w: tensor<8x1x16xi8>) {
  // expected-error @+1 {{result dimension 1 is dynamic but the operands fix it to 8}}
  %r = mmfree.ternary_matmul %x, %w {k = 64} : tensor<4x64xi8>, tensor<8x1x16xi8> -> tensor<4x?xi32>
  return
}

// -----

func.func @ternary_dynamic_m(%x: tensor<4x64xf32>, %w: tensor<8x1x16xi8>) {
  // expected-error @+1 {{result dimension 0 is dynamic but the operands fix it to 4}}
  %r = mmfree.ternary_matmul %x, %w {k = 64} : tensor<4x64xf32>, tensor<8x1x16xi8> -> tensor<?x8xf32>
  return
}

// -----

func.func @lut_dynamic_outputs(%c: tensor<4x2xi8>, %t: tensor<2x16x8xi8>) {
  // expected-error @+1 {{result dimension 1 is dynamic but the operands fix it to 8}}
  %r = mmfree.lut_matmul %c, %t {accumulation = #mmfree<lut_accumulation exact>} : tensor<4x2xi8>, tensor<2x16x8xi8> -> tensor<4x?xi16>
  return
}

// -----

func.func @encode_dynamic_codebooks(%x: tensor<?x8xf32>, %d: tensor<2x4xi32>, %t: tensor<2x15xf32>) {
  // expected-error @+1 {{result dimension 1 is dynamic but the operands fix it to 2}}
  %r = mmfree.lut_encode %x, %d, %t : tensor<?x8xf32>, tensor<2x4xi32>, tensor<2x15xf32> -> tensor<?x?xi8>
  return
}

// -----

func.func @lmul_unranked(%a: tensor<*xf32>, %b: tensor<*xf32>) {
  // expected-error @+1 {{operand #0 must be L-Mul float, or a vector or ranked tensor of them, but got 'tensor<*xf32>'}}
  %r = mmfree.lmul %a, %b {mantissa_bits = 3 : i64} : tensor<*xf32>
  return
}

// -----

// expected-error @+1 {{'func.func' op argument 1 with 'mmfree.packed_ternary' must be a tensor<8x?x16xi8> of packed weights, got 'tensor<2x64xi8>'}}
func.func @packed_arg_type(%x: tensor<2x64xf32>, %w: tensor<2x64xi8> {mmfree.packed_ternary = #mmfree.packed_ternary<rows = 2, shifts = [0, 2, 4, 6], values = [-1.0, 0.0, 1.0, 2.0]>}) {
  return
}

// -----

// expected-error @+1 {{shifts must be one or more of 0, 2, 4, 6}}
func.func @packed_arg_shift(%w: tensor<2x1x16xi8> {mmfree.packed_ternary = #mmfree.packed_ternary<rows = 2, shifts = [3], values = [-1.0, 0.0, 1.0, 2.0]>}) {
  return
}

// -----

// expected-error @+1 {{values must give the weight of each of the 4 codes, got 3}}
func.func @packed_arg_values(%w: tensor<2x1x16xi8> {mmfree.packed_ternary = #mmfree.packed_ternary<rows = 2, shifts = [0], values = [-1.0, 0.0, 1.0]>}) {
  return
}
