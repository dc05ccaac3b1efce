// RUN: mmfree-opt %s --split-input-file --transform-interpreter --resolve-ranked-shaped-type-result-dims --canonicalize --cse | FileCheck %s

// Tile-and-fuse from the consumer: a whole BitLinear per 4 x 16 tile, each
// row's activations quantized in the tile that uses them.
// CHECK-LABEL: func.func @bitlinear
// CHECK-SAME: (%[[X:.*]]: tensor<?x100xf32>, %[[W:.*]]: tensor<32x2x16xi8>, %[[S:.*]]: tensor<32xf32>)
// CHECK: scf.for %[[M:.*]] = {{.*}} step %c4
// CHECK: scf.for %[[N:.*]] = {{.*}} step %c16
// CHECK: %[[XT:.*]] = tensor.extract_slice %[[X]][%[[M]], 0] [%{{.*}}, 100]
// CHECK: %[[XQ:.*]], %[[Q:.*]] = mmfree.quantize_rows %[[XT]] : tensor<?x100xf32> -> tensor<?x100xi8>, tensor<?xf32>
// CHECK: %[[WT:.*]] = tensor.extract_slice %[[W]][%[[N]], 0, 0] [16, 2, 16]
// CHECK: %[[ACC:.*]] = mmfree.ternary_matmul %[[XQ]], %[[WT]] {k = 100 : i64} : tensor<?x100xi8>, tensor<16x2x16xi8> -> tensor<?x16xi32>
// CHECK: %[[ST:.*]] = tensor.extract_slice %[[S]][%[[N]]] [16]
// CHECK: mmfree.dequantize %[[ACC]], %[[ST]], %[[Q]] : (tensor<?x16xi32>, tensor<16xf32>, tensor<?xf32>) -> tensor<?x16xf32>
// CHECK: tensor.insert_slice
// CHECK-NOT: mmfree.{{[a-z_]+}} %
// CHECK: return
func.func @bitlinear(%x: tensor<?x100xf32>, %w: tensor<32x2x16xi8>,
                     %ws: tensor<32xf32>) -> tensor<?x32xf32> {
  %xq, %q = mmfree.quantize_rows %x : tensor<?x100xf32> -> tensor<?x100xi8>, tensor<?xf32>
  %acc = mmfree.ternary_matmul %xq, %w {k = 100 : i64}
      : tensor<?x100xi8>, tensor<32x2x16xi8> -> tensor<?x32xi32>
  %y = mmfree.dequantize %acc, %ws, %q
      : (tensor<?x32xi32>, tensor<32xf32>, tensor<?xf32>) -> tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["mmfree.dequantize"]} in %root : (!transform.any_op) -> !transform.any_op
    %t, %l0, %l1 = transform.structured.fuse %op tile_sizes [4, 16] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// A per-tensor weight scale is shared by every tile; the kernel attribute
// travels with the tiles; the channels go to two threads.
// CHECK-LABEL: func.func @per_tensor_forall
// CHECK: scf.forall (%[[T:.*]]) in (2)
// CHECK: mmfree.ternary_matmul {{.*}} {k = 64 : i64, mmfree.kernel = #mmfree.kernel<select, generic>} : tensor<3x64xi8>, tensor<8x1x16xi8> -> tensor<3x8xi32>
// CHECK: mmfree.dequantize %{{.*}}, %arg2, %{{.*}} : (tensor<3x8xi32>, tensor<1xf32>, tensor<3xf32>)
func.func @per_tensor_forall(%xq: tensor<3x64xi8>, %w: tensor<16x1x16xi8>,
                             %ws: tensor<1xf32>, %q: tensor<3xf32>) -> tensor<3x16xf32> {
  %acc = mmfree.ternary_matmul %xq, %w {k = 64 : i64, mmfree.kernel = #mmfree.kernel<select, generic>}
      : tensor<3x64xi8>, tensor<16x1x16xi8> -> tensor<3x16xi32>
  %y = mmfree.dequantize %acc, %ws, %q
      : (tensor<3x16xi32>, tensor<1xf32>, tensor<3xf32>) -> tensor<3x16xf32>
  return %y : tensor<3x16xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["mmfree.dequantize"]} in %root : (!transform.any_op) -> !transform.any_op
    %t, %l = transform.structured.tile_using_forall %op num_threads [0, 2] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %mm = transform.structured.match ops{["mmfree.ternary_matmul"]} in %root : (!transform.any_op) -> !transform.any_op
    %f, %l2 = transform.structured.fuse_into_containing_op %mm into %l : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// L-Mul: the reduction is a loop too, carried through the init.
// CHECK-LABEL: func.func @lmul
// CHECK: scf.for {{.*}} step %c2
// CHECK: scf.for {{.*}} step %c8
// CHECK: scf.for %[[K:.*]] = %c0 to %c64 step %c16 iter_args(%[[ACC:.*]] =
// CHECK: %[[A:.*]] = tensor.extract_slice %arg0[%{{.*}}, %[[K]]] [2, 16]
// CHECK: %[[B:.*]] = tensor.extract_slice %arg1[%{{.*}}, %[[K]]] [8, 16]
// CHECK: %[[C:.*]] = tensor.extract_slice %[[ACC]]
// CHECK: mmfree.lmul_matmul %[[A]], %[[B]], %[[C]] {mantissa_bits = 3 : i64, transpose_rhs} : tensor<2x16xbf16>, tensor<8x16xbf16>, tensor<2x8xf32> -> tensor<2x8xf32>
func.func @lmul(%a: tensor<4x64xbf16>, %b: tensor<16x64xbf16>, %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %r = mmfree.lmul_matmul %a, %b, %c {mantissa_bits = 3 : i64, transpose_rhs}
      : tensor<4x64xbf16>, tensor<16x64xbf16>, tensor<4x16xf32> -> tensor<4x16xf32>
  return %r : tensor<4x16xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["mmfree.lmul_matmul"]} in %root : (!transform.any_op) -> !transform.any_op
    %t, %l0, %l1, %l2 = transform.structured.tile_using_for %op tile_sizes [2, 8, 16] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// MADDNESS with column-major input: the encode's rows are the input's
// columns.
// CHECK-LABEL: func.func @lut_transposed
// CHECK: scf.for %[[R:.*]] = {{.*}} step %c8
// CHECK: %[[XT:.*]] = tensor.extract_slice %arg0[0, %[[R]]] [64, %{{.*}}]
// CHECK: %[[CODES:.*]] = mmfree.lut_encode %[[XT]], %arg1, %arg2 {transpose_input} : tensor<64x?xf32>, tensor<4x4xi32>, tensor<4x15xf32> -> tensor<?x4xi8>
// CHECK: mmfree.lut_matmul %[[CODES]], %arg3 {accumulation = #mmfree<lut_accumulation average>} : tensor<?x4xi8>, tensor<4x16x10xi8> -> tensor<?x10xi8>
func.func @lut_transposed(%x: tensor<64x?xf32>, %dims: tensor<4x4xi32>,
                          %thr: tensor<4x15xf32>, %tables: tensor<4x16x10xi8>) -> tensor<?x10xi8> {
  %codes = mmfree.lut_encode %x, %dims, %thr {transpose_input}
      : tensor<64x?xf32>, tensor<4x4xi32>, tensor<4x15xf32> -> tensor<?x4xi8>
  %s = mmfree.lut_matmul %codes, %tables {accumulation = #mmfree<lut_accumulation average>}
      : tensor<?x4xi8>, tensor<4x16x10xi8> -> tensor<?x10xi8>
  return %s : tensor<?x10xi8>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["mmfree.lut_matmul"]} in %root : (!transform.any_op) -> !transform.any_op
    %t, %l0 = transform.structured.fuse %op tile_sizes [8, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Channel tiles that do not divide N would cut the packed weights to a
// dynamic size: the producer is not tiled (it is computed whole), which is
// still correct.
// CHECK-LABEL: func.func @ragged_channels
// CHECK: mmfree.ternary_matmul {{.*}} : tensor<2x64xi8>, tensor<20x1x16xi8> -> tensor<2x20xi32>
// CHECK: scf.for {{.*}} step %c8
// CHECK: mmfree.dequantize {{.*}} : (tensor<2x?xi32>, tensor<?xf32>, tensor<2xf32>) -> tensor<2x?xf32>
func.func @ragged_channels(%xq: tensor<2x64xi8>, %w: tensor<20x1x16xi8>,
                           %ws: tensor<20xf32>, %q: tensor<2xf32>) -> tensor<2x20xf32> {
  %acc = mmfree.ternary_matmul %xq, %w {k = 64 : i64}
      : tensor<2x64xi8>, tensor<20x1x16xi8> -> tensor<2x20xi32>
  %y = mmfree.dequantize %acc, %ws, %q
      : (tensor<2x20xi32>, tensor<20xf32>, tensor<2xf32>) -> tensor<2x20xf32>
  return %y : tensor<2x20xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["mmfree.dequantize"]} in %root : (!transform.any_op) -> !transform.any_op
    %t, %l0 = transform.structured.fuse %op tile_sizes [0, 8] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}
