// RUN: mmfree-opt %s -split-input-file --mmfree-matmul-to-ternary=packed-arguments -verify-diagnostics | FileCheck %s
// RUN: mmfree-opt %s -split-input-file --mmfree-matmul-to-ternary 2>&1 | FileCheck %s --check-prefix=OFF
// RUN: mmfree-opt %s -split-input-file --mmfree-matmul-to-ternary=packed-arguments --mmfree-lower-to-linalg 2>/dev/null | FileCheck %s --check-prefix=LOWERED

// The lowering to upstream ops drops the attribute (stock tools need not
// know it); the packed argument stays.
// LOWERED-LABEL: func @unpacked
// LOWERED-SAME: tensor<8x1x16xi8>,
// LOWERED-NOT: mmfree.packed_ternary

#id = affine_map<(d0, d1) -> (d0, d1)>

// transformers' BitNet unpacking (as torch-mlir exports it): four slices of
// 2 rows, slice s from bits [2s, 2s + 2) of the same 2 x 64 argument, then
// uitofp and - 1. The argument becomes 8 x 1 x 16 packed weights at the same
// position; the unpacking is gone.
// CHECK-LABEL: func @unpacked
// CHECK-SAME: (%[[X:.*]]: tensor<3x64xf32>, %[[W:.*]]: tensor<8x1x16xi8> {mmfree.packed_ternary = #mmfree.packed_ternary<rows = 2, shifts = [0, 2, 4, 6], values = [-1.000000e+00, 0.000000e+00, 1.000000e+00, 2.000000e+00]>}, %{{.*}}: tensor<1xf32>)
// CHECK-NOT: arith.andi
// CHECK-NOT: tensor.insert_slice
// CHECK: %[[XQ:.*]], %[[Q:.*]] = mmfree.quantize_rows %[[X]]
// CHECK: mmfree.ternary_matmul %[[XQ]], %[[W]] {k = 64 : i64} : tensor<3x64xi8>, tensor<8x1x16xi8> -> tensor<3x8xi16>
// Without the option the signature stays and the contraction is remarked.
// OFF: remark: not rewritten to ternary: weights are not a compile-time constant{{$}}
// OFF-LABEL: func @unpacked
// OFF-SAME: tensor<2x64xi8>
// OFF-NOT: mmfree.ternary_matmul
func.func @unpacked(%x: tensor<3x64xf32>, %p: tensor<2x64xi8>, %s: tensor<1xf32>) -> tensor<3x8xf32> {
  %zeros = arith.constant dense<0> : tensor<8x64xi8>
  %c3 = arith.constant 3 : i8
  %c12 = arith.constant 12 : i8
  %c48 = arith.constant 48 : i8
  %c192 = arith.constant -64 : i8
  %c2 = arith.constant 2 : i8
  %c4 = arith.constant 4 : i8
  %c6 = arith.constant 6 : i8
  %one = arith.constant 1.0 : f32
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x64xi8>
  %f0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%p : tensor<2x64xi8>) outs(%e : tensor<2x64xi8>) {
  ^bb0(%in: i8, %out: i8):
    %a = arith.andi %in, %c3 : i8
    linalg.yield %a : i8
  } -> tensor<2x64xi8>
  %u0 = tensor.insert_slice %f0 into %zeros[0, 0] [2, 64] [1, 1] : tensor<2x64xi8> into tensor<8x64xi8>
  %f1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%p : tensor<2x64xi8>) outs(%e : tensor<2x64xi8>) {
  ^bb0(%in: i8, %out: i8):
    %a = arith.andi %in, %c12 : i8
    %b = arith.shrui %a, %c2 : i8
    linalg.yield %b : i8
  } -> tensor<2x64xi8>
  %u1 = tensor.insert_slice %f1 into %u0[2, 0] [2, 64] [1, 1] : tensor<2x64xi8> into tensor<8x64xi8>
  %f2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%p : tensor<2x64xi8>) outs(%e : tensor<2x64xi8>) {
  ^bb0(%in: i8, %out: i8):
    %a = arith.andi %in, %c48 : i8
    linalg.yield %a : i8
  } -> tensor<2x64xi8>
  %g2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%f2 : tensor<2x64xi8>) outs(%e : tensor<2x64xi8>) {
  ^bb0(%in: i8, %out: i8):
    %b = arith.shrui %in, %c4 : i8
    linalg.yield %b : i8
  } -> tensor<2x64xi8>
  %u2 = tensor.insert_slice %g2 into %u1[4, 0] [2, 64] [1, 1] : tensor<2x64xi8> into tensor<8x64xi8>
  %f3 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%p : tensor<2x64xi8>) outs(%e : tensor<2x64xi8>) {
  ^bb0(%in: i8, %out: i8):
    %a = arith.andi %in, %c192 : i8
    %b = arith.shrui %a, %c6 : i8
    linalg.yield %b : i8
  } -> tensor<2x64xi8>
  %u3 = tensor.insert_slice %f3 into %u2[6, 0] [2, 64] [1, 1] : tensor<2x64xi8> into tensor<8x64xi8>
  %ef = tensor.empty() : tensor<8x64xf32>
  %w = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%u3 : tensor<8x64xi8>) outs(%ef : tensor<8x64xf32>) {
  ^bb0(%in: i8, %out: f32):
    %a = arith.uitofp %in : i8 to f32
    %b = arith.subf %a, %one : f32
    linalg.yield %b : f32
  } -> tensor<8x64xf32>
  %et = tensor.empty() : tensor<64x8xf32>
  %wt = linalg.transpose ins(%w : tensor<8x64xf32>) outs(%et : tensor<64x8xf32>) permutation = [1, 0]
  %ey = tensor.empty() : tensor<3x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%ey : tensor<3x8xf32>) -> tensor<3x8xf32>
  %y = linalg.matmul ins(%x, %wt : tensor<3x64xf32>, tensor<64x8xf32>) outs(%init : tensor<3x8xf32>) -> tensor<3x8xf32>
  return %y : tensor<3x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// One slice, the field in bits [4, 6), unpacked and converted in one
// generic; the weights are read as K x N (transposed by the matmul's maps).
// CHECK-LABEL: func @one_slice
// CHECK-SAME: %{{.*}}: tensor<4x2x16xi8> {mmfree.packed_ternary = #mmfree.packed_ternary<rows = 4, shifts = [4], values = [0.000000e+00, 1.000000e+00, -1.000000e+00, 0.000000e+00]>})
// CHECK: mmfree.ternary_matmul {{.*}} {k = 100 : i64}
func.func @one_slice(%x: tensor<2x100xf32>, %p: tensor<4x100xi8>) -> tensor<2x4xf32> {
  %c4 = arith.constant 4 : i8
  %c3 = arith.constant 3 : i8
  %zero = arith.constant 0.0 : f32
  %minus = arith.constant -1.0 : f32
  %two = arith.constant 2.0 : f32
  %three = arith.constant 3.0 : f32
  %ef = tensor.empty() : tensor<4x100xf32>
  // Code 0 -> 0, 1 -> +1, 2 -> -1, 3 -> 0 (a sign-magnitude code).
  %w = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%p : tensor<4x100xi8>) outs(%ef : tensor<4x100xf32>) {
  ^bb0(%in: i8, %out: f32):
    %a = arith.shrui %in, %c4 : i8
    %b = arith.andi %a, %c3 : i8
    %f = arith.uitofp %b : i8 to f32
    %is2 = arith.cmpf oeq, %f, %two : f32
    %is3 = arith.cmpf oeq, %f, %three : f32
    %z = arith.select %is3, %zero, %f : f32
    %v = arith.select %is2, %minus, %z : f32
    linalg.yield %v : f32
  } -> tensor<4x100xf32>
  %ey = tensor.empty() : tensor<2x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%ey : tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<2x100xf32>, tensor<4x100xf32>) outs(%init : tensor<2x4xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p0 = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p0 : f32
    linalg.yield %s : f32
  } -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

func.func private @matmul_nt(%x: tensor<2x64xf32>, %w: tensor<4x64xf32>) -> tensor<2x4xf32> {
  %zero = arith.constant 0.0 : f32
  %ey = tensor.empty() : tensor<2x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%ey : tensor<2x4xf32>) -> tensor<2x4xf32>
  // expected-remark @+1 {{not rewritten to ternary: weights are not a compile-time constant; nor unpacked from 2-bit codes of an i8 function argument of rows x K}}
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%x, %w : tensor<2x64xf32>, tensor<4x64xf32>) outs(%init : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// The weights are the whole byte: no 2-bit field.
func.func @whole_byte(%x: tensor<2x64xf32>, %p: tensor<4x64xi8>) -> tensor<2x4xf32> {
  %ef = tensor.empty() : tensor<4x64xf32>
  %w = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%p : tensor<4x64xi8>) outs(%ef : tensor<4x64xf32>) {
  ^bb0(%in: i8, %out: f32):
    %f = arith.sitofp %in : i8 to f32
    linalg.yield %f : f32
  } -> tensor<4x64xf32>
  %zero = arith.constant 0.0 : f32
  %ey = tensor.empty() : tensor<2x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%ey : tensor<2x4xf32>) -> tensor<2x4xf32>
  // expected-remark @+1 {{not rewritten to ternary: weights are not a compile-time constant; unpacked weights do not depend on one 2-bit field of each byte}}
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%x, %w : tensor<2x64xf32>, tensor<4x64xf32>) outs(%init : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// The codes without the - 1: 0..3, no -1.
func.func @no_offset(%x: tensor<2x64xf32>, %p: tensor<4x64xi8>) -> tensor<2x4xf32> {
  %c3 = arith.constant 3 : i8
  %ef = tensor.empty() : tensor<4x64xf32>
  %w = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%p : tensor<4x64xi8>) outs(%ef : tensor<4x64xf32>) {
  ^bb0(%in: i8, %out: f32):
    %a = arith.andi %in, %c3 : i8
    %f = arith.uitofp %a : i8 to f32
    linalg.yield %f : f32
  } -> tensor<4x64xf32>
  %zero = arith.constant 0.0 : f32
  %ey = tensor.empty() : tensor<2x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%ey : tensor<2x4xf32>) -> tensor<2x4xf32>
  // expected-remark @+1 {{unpacked 2-bit codes do not give each of -1, 0 and +1}}
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%x, %w : tensor<2x64xf32>, tensor<4x64xf32>) outs(%init : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// A function called in the module keeps its signature.
func.func @callee(%x: tensor<2x64xf32>, %p: tensor<4x64xi8>) -> tensor<2x4xf32> {
  %c3 = arith.constant 3 : i8
  %one = arith.constant 1.0 : f32
  %ef = tensor.empty() : tensor<4x64xf32>
  %w = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%p : tensor<4x64xi8>) outs(%ef : tensor<4x64xf32>) {
  ^bb0(%in: i8, %out: f32):
    %a = arith.andi %in, %c3 : i8
    %f = arith.uitofp %a : i8 to f32
    %g = arith.subf %f, %one : f32
    linalg.yield %g : f32
  } -> tensor<4x64xf32>
  %zero = arith.constant 0.0 : f32
  %ey = tensor.empty() : tensor<2x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%ey : tensor<2x4xf32>) -> tensor<2x4xf32>
  // expected-remark @+1 {{not rewritten to ternary: weights are unpacked from an argument of a function called in the module (its signature cannot change)}}
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%x, %w : tensor<2x64xf32>, tensor<4x64xf32>) outs(%init : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

func.func @caller(%x: tensor<2x64xf32>, %p: tensor<4x64xi8>) -> tensor<2x4xf32> {
  %y = func.call @callee(%x, %p) : (tensor<2x64xf32>, tensor<4x64xi8>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// Two contractions reading the same packed argument share one packed
// argument; an argument that keeps another use stays next to it.
// CHECK-LABEL: func @shared
// CHECK-SAME: (%{{.*}}: tensor<2x64xf32>, %[[W:.*]]: tensor<4x1x16xi8> {mmfree.packed_ternary = {{.*}}}) -> (tensor<2x4xf32>, tensor<2x4xf32>)
// CHECK: mmfree.ternary_matmul %{{.*}}, %[[W]]
// CHECK: mmfree.ternary_matmul %{{.*}}, %[[W]]
// CHECK-LABEL: func @kept
// CHECK-SAME: (%{{.*}}: tensor<2x64xf32>, %[[P:.*]]: tensor<4x64xi8>, %[[W:.*]]: tensor<4x1x16xi8> {mmfree.packed_ternary = {{.*}}}) -> (tensor<2x4xf32>, tensor<4x64xi8>)
// CHECK: mmfree.ternary_matmul %{{.*}}, %[[W]]
// CHECK: return %{{.*}}, %[[P]]
func.func @shared(%x: tensor<2x64xf32>, %p: tensor<4x64xi8>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %c3 = arith.constant 3 : i8
  %one = arith.constant 1.0 : f32
  %ef = tensor.empty() : tensor<4x64xf32>
  %w = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%p : tensor<4x64xi8>) outs(%ef : tensor<4x64xf32>) {
  ^bb0(%in: i8, %out: f32):
    %a = arith.andi %in, %c3 : i8
    %f = arith.uitofp %a : i8 to f32
    %g = arith.subf %f, %one : f32
    linalg.yield %g : f32
  } -> tensor<4x64xf32>
  %zero = arith.constant 0.0 : f32
  %ey = tensor.empty() : tensor<2x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%ey : tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%x, %w : tensor<2x64xf32>, tensor<4x64xf32>) outs(%init : tensor<2x4xf32>) -> tensor<2x4xf32>
  %x2 = arith.addf %x, %x : tensor<2x64xf32>
  %y2 = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%x2, %w : tensor<2x64xf32>, tensor<4x64xf32>) outs(%init : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y, %y2 : tensor<2x4xf32>, tensor<2x4xf32>
}

func.func @kept(%x: tensor<2x64xf32>, %p: tensor<4x64xi8>) -> (tensor<2x4xf32>, tensor<4x64xi8>) {
  %c3 = arith.constant 3 : i8
  %one = arith.constant 1.0 : f32
  %ef = tensor.empty() : tensor<4x64xf32>
  %w = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%p : tensor<4x64xi8>) outs(%ef : tensor<4x64xf32>) {
  ^bb0(%in: i8, %out: f32):
    %a = arith.andi %in, %c3 : i8
    %f = arith.uitofp %a : i8 to f32
    %g = arith.subf %f, %one : f32
    linalg.yield %g : f32
  } -> tensor<4x64xf32>
  %zero = arith.constant 0.0 : f32
  %ey = tensor.empty() : tensor<2x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%ey : tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%x, %w : tensor<2x64xf32>, tensor<4x64xf32>) outs(%init : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y, %p : tensor<2x4xf32>, tensor<4x64xi8>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// One argument unpacked two ways (bits [0, 2) and [2, 4)) feeds two
// contractions: each way gets its own packed argument.
// CHECK-LABEL: func @two_ways
// CHECK-SAME: (%{{.*}}: tensor<2x64xf32>, %[[A:.*]]: tensor<4x1x16xi8> {mmfree.packed_ternary = #mmfree.packed_ternary<rows = 4, shifts = [2], {{.*}}>}, %[[B:.*]]: tensor<4x1x16xi8> {mmfree.packed_ternary = #mmfree.packed_ternary<rows = 4, shifts = [0], {{.*}}>})
// CHECK: mmfree.ternary_matmul %{{.*}}, %[[B]]
// CHECK: mmfree.ternary_matmul %{{.*}}, %[[A]]
func.func @two_ways(%x: tensor<2x64xf32>, %p: tensor<4x64xi8>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %c2 = arith.constant 2 : i8
  %c3 = arith.constant 3 : i8
  %one = arith.constant 1.0 : f32
  %zero = arith.constant 0.0 : f32
  %ef = tensor.empty() : tensor<4x64xf32>
  %w0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%p : tensor<4x64xi8>) outs(%ef : tensor<4x64xf32>) {
  ^bb0(%in: i8, %out: f32):
    %a = arith.andi %in, %c3 : i8
    %f = arith.uitofp %a : i8 to f32
    %g = arith.subf %f, %one : f32
    linalg.yield %g : f32
  } -> tensor<4x64xf32>
  %w1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%p : tensor<4x64xi8>) outs(%ef : tensor<4x64xf32>) {
  ^bb0(%in: i8, %out: f32):
    %s = arith.shrui %in, %c2 : i8
    %a = arith.andi %s, %c3 : i8
    %f = arith.uitofp %a : i8 to f32
    %g = arith.subf %f, %one : f32
    linalg.yield %g : f32
  } -> tensor<4x64xf32>
  %ey = tensor.empty() : tensor<2x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%ey : tensor<2x4xf32>) -> tensor<2x4xf32>
  %y0 = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%x, %w0 : tensor<2x64xf32>, tensor<4x64xf32>) outs(%init : tensor<2x4xf32>) -> tensor<2x4xf32>
  %y1 = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%x, %w1 : tensor<2x64xf32>, tensor<4x64xf32>) outs(%init : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y0, %y1 : tensor<2x4xf32>, tensor<2x4xf32>
}
