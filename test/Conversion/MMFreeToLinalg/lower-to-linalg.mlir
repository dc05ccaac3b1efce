// RUN: mmfree-opt %s -split-input-file --mmfree-lower-to-linalg | FileCheck %s

// The contraction is a generic over (m, n, block, j, byte) that decodes the
// 2-bit code and adds, subtracts or skips: no multiply in its body.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d3, d4)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d2, d4)>
// CHECK-LABEL: func @contraction
// CHECK: %[[PAD:.*]] = tensor.pad %arg0 low[0, 0] high[0, 28]
// CHECK: %[[EXP:.*]] = tensor.expand_shape %[[PAD]] {{\[\[}}0], [1, 2, 3]] output_shape [2, 2, 4, 16]
// CHECK: linalg.generic {indexing_maps = [#[[X]], #[[W]], {{.*}}], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK-SAME: ins(%[[EXP]], %arg1 : tensor<2x2x4x16xi8>, tensor<3x2x16xi8>)
// CHECK-NOT: arith.mul
// CHECK: arith.shrui
// CHECK-NOT: arith.mul
// CHECK: arith.select
// CHECK-NOT: arith.mul
// CHECK: arith.addi
// CHECK-NOT: arith.mul
// CHECK: linalg.yield
func.func @contraction(%x: tensor<2x100xi8>, %w: tensor<3x2x16xi8>) -> tensor<2x3xi32> {
  %acc = mmfree.ternary_matmul %x, %w {k = 100 : i64} : tensor<2x100xi8>, tensor<3x2x16xi8> -> tensor<2x3xi32>
  return %acc : tensor<2x3xi32>
}

// -----

// Float activations: negf/select/addf, still no multiply; K = 64 needs no pad.
// CHECK-LABEL: func @float_contraction
// CHECK-NOT: tensor.pad
// CHECK: linalg.generic
// CHECK-NOT: arith.mulf
// CHECK: arith.negf
// CHECK-NOT: arith.mulf
// CHECK: arith.addf
// CHECK-NOT: arith.mulf
// CHECK: return
func.func @float_contraction(%x: tensor<?x64xf32>, %w: tensor<5x1x16xi8>) -> tensor<?x5xf32> {
  %acc = mmfree.ternary_matmul %x, %w {k = 64 : i64} : tensor<?x64xf32>, tensor<5x1x16xi8> -> tensor<?x5xf32>
  return %acc : tensor<?x5xf32>
}

// -----

// CHECK-LABEL: func @quantize
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK:   math.absf
// CHECK:   arith.maximumf
// CHECK: linalg.generic
// CHECK:   arith.constant 9.99999974E-6 : f32
// CHECK:   arith.divf
// CHECK: linalg.generic
// CHECK:   arith.mulf
// CHECK:   math.roundeven
// CHECK:   arith.fptosi {{.*}} : f32 to i8
func.func @quantize(%x: tensor<4x8xf32>) -> (tensor<4x8xi8>, tensor<4xf32>) {
  %xq, %q = mmfree.quantize_rows %x : tensor<4x8xf32> -> tensor<4x8xi8>, tensor<4xf32>
  return %xq, %q : tensor<4x8xi8>, tensor<4xf32>
}

// -----

// A per-tensor scale is extracted once and used inside the generic (a
// constant index map would keep the generic from being vectorized).
// CHECK-LABEL: func @dequantize
// CHECK: %[[WS:.*]] = tensor.extract %arg1[%{{.*}}] : tensor<1xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}]
// CHECK:   arith.sitofp
// CHECK:   arith.mulf %{{.*}}, %[[WS]]
// CHECK:   arith.divf
func.func @dequantize(%acc: tensor<4x8xi32>, %ws: tensor<1xf32>, %q: tensor<4xf32>) -> tensor<4x8xf32> {
  %y = mmfree.dequantize %acc, %ws, %q : (tensor<4x8xi32>, tensor<1xf32>, tensor<4xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// L-Mul in integer ops only: bitcast, and/or/xor, add, compares, selects.
// CHECK-LABEL: func @lmul_scalar
// CHECK-NOT: arith.mulf
// CHECK: arith.bitcast %arg0 : bf16 to i16
// CHECK: arith.extui
// CHECK: arith.xori
// CHECK: arith.addi
// CHECK: arith.cmpi slt
// CHECK: arith.select
// CHECK: arith.trunci {{.*}} : i32 to i16
// CHECK: arith.bitcast {{.*}} : i16 to bf16
// CHECK-NOT: arith.mulf
func.func @lmul_scalar(%x: bf16, %y: bf16) -> bf16 {
  %0 = mmfree.lmul %x, %y {mantissa_bits = 7 : i64} : bf16
  return %0 : bf16
}

// -----

// f32 magnitudes are added in i64: two of them overflow i32.
// CHECK-LABEL: func @lmul_tensor
// CHECK: linalg.generic
// CHECK:   arith.extui {{.*}} : i32 to i64
// CHECK-NOT: arith.mulf
// CHECK:   linalg.yield
func.func @lmul_tensor(%x: tensor<?x4xf32>, %y: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = mmfree.lmul %x, %y {mantissa_bits = 23 : i64} : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// The matmul: one L-Mul converted to f32 and one f32 add per step.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func @lmul_matmul
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #{{.*}}], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-NOT: arith.mulf
// CHECK:   arith.bitcast {{.*}} : i32 to f32
// CHECK:   arith.addf
// CHECK-NOT: arith.mulf
// CHECK: return
func.func @lmul_matmul(%a: tensor<2x4xf8E5M2>, %b: tensor<3x4xf8E5M2>, %c: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = mmfree.lmul_matmul %a, %b, %c {mantissa_bits = 2 : i64, transpose_rhs} : tensor<2x4xf8E5M2>, tensor<3x4xf8E5M2>, tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// MADDNESS encoding: compares and adds only (the 2 * code is an add).
// CHECK-LABEL: func @lut_encode
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK-NOT: arith.mul
// CHECK-COUNT-4: arith.cmpf ogt
// CHECK-NOT: arith.mul
// CHECK: arith.index_cast {{.*}} : index to i8
func.func @lut_encode(%x: tensor<?x64xf32>, %dims: tensor<8x4xi32>, %thr: tensor<8x15xf32>) -> tensor<?x8xi8> {
  %codes = mmfree.lut_encode %x, %dims, %thr : tensor<?x64xf32>, tensor<8x4xi32>, tensor<8x15xf32> -> tensor<?x8xi8>
  return %codes : tensor<?x8xi8>
}

// -----

// Exact sums: a reduction over codebooks of table reads, widened and added.
// CHECK-LABEL: func @lut_exact
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-NOT: arith.mul
// CHECK:   tensor.extract %arg1
// CHECK:   arith.extui {{.*}} : i8 to i16
// CHECK:   arith.addi {{.*}} : i16
// CHECK-NOT: arith.mul
func.func @lut_exact(%codes: tensor<?x8xi8>, %t: tensor<8x16x10xi8>) -> tensor<?x10xi16> {
  %s = mmfree.lut_matmul %codes, %t {accumulation = #mmfree<lut_accumulation exact>} : tensor<?x8xi8>, tensor<8x16x10xi8> -> tensor<?x10xi16>
  return %s : tensor<?x10xi16>
}

// -----

// Averages: 3 codebooks padded to 4, so 3 reads and 3 rounding averages.
// CHECK-LABEL: func @lut_average
// CHECK-COUNT-3: tensor.extract %arg1
// CHECK-COUNT-3: arith.shrui
// CHECK: arith.trunci {{.*}} : i16 to i8
func.func @lut_average(%codes: tensor<4x3xi8>, %t: tensor<3x16x10xi8>) -> tensor<4x10xi8> {
  %a = mmfree.lut_matmul %codes, %t {accumulation = #mmfree<lut_accumulation average>} : tensor<4x3xi8>, tensor<3x16x10xi8> -> tensor<4x10xi8>
  return %a : tensor<4x10xi8>
}
