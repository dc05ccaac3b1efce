// RUN: mmfree-opt %s -split-input-file --mmfree-select-kernels="target=x86-64-v4 ternary-kernel=select" --mmfree-lower-to-vector --canonicalize | FileCheck %s

// M = 10, N = 10: rows in groups of 4 (then one at a time) sharing each
// weight load, channels in groups of 4 (then one at a time) sharing each
// activation load; one accumulator per (row, channel). Each block: one
// 16-byte weight load per channel, decoded by shifts 0, 2, 4, 6, and four
// 16-lane activation loads per row.
// CHECK-LABEL: func @contraction
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c4
// CHECK:   scf.for %{{.*}} = %c0 to %c8 step %c4
// CHECK:     scf.for %{{.*}} = %c0 to %c128 step %c64 iter_args({{.*}}) -> (vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>)
// CHECK-COUNT-4: vector.transfer_read %arg1{{.*}} : tensor<10x2x16xi8>, vector<16xi8>
// CHECK-NOT: arith.muli
// CHECK:       vector.transfer_read %{{.*}} : tensor<10x128xi8>, vector<16xi8>
// CHECK-NOT: arith.muli
// CHECK:       arith.select {{.*}} : vector<16xi1>, vector<16xi32>
// CHECK-NOT: arith.muli
// CHECK:       arith.addi {{.*}} : vector<16xi32>
// CHECK-NOT: arith.muli
// CHECK:     vector.reduction <add>, {{.*}} : vector<16xi32> into i32
// CHECK:     tensor.insert
// CHECK:   scf.for %{{.*}} = %c8 to %c10 step %c1
// CHECK:     -> (vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>)
// CHECK: scf.for %{{.*}} = %c8 to %c10 step %c1
// CHECK-NOT: arith.muli
// CHECK: return
func.func @contraction(%x: tensor<10x100xi8>, %w: tensor<10x2x16xi8>) -> tensor<10x10xi32> {
  %acc = mmfree.ternary_matmul %x, %w {k = 100 : i64} : tensor<10x100xi8>, tensor<10x2x16xi8> -> tensor<10x10xi32>
  return %acc : tensor<10x10xi32>
}

// -----

// Float activations accumulate in f32 vectors; no mulf anywhere.
// CHECK-LABEL: func @float_contraction
// CHECK-NOT: arith.mulf
// CHECK: arith.negf {{.*}} : vector<16xf32>
// CHECK-NOT: arith.mulf
// CHECK: vector.reduction <add>, {{.*}} : vector<16xf32> into f32
// CHECK-NOT: arith.mulf
// CHECK: return
func.func @float_contraction(%x: tensor<?x64xf32>, %w: tensor<1x1x16xi8>) -> tensor<?x1xf32> {
  %acc = mmfree.ternary_matmul %x, %w {k = 64 : i64} : tensor<?x64xf32>, tensor<1x1x16xi8> -> tensor<?x1xf32>
  return %acc : tensor<?x1xf32>
}

// -----

// i16 accumulators when K * 128 fits.
// CHECK-LABEL: func @narrow
// CHECK: arith.extsi {{.*}} : vector<16xi8> to vector<16xi16>
// CHECK: vector.reduction <add>, {{.*}} : vector<16xi16> into i16
func.func @narrow(%x: tensor<1x200xi8>, %w: tensor<1x4x16xi8>) -> tensor<1x1xi16> {
  %acc = mmfree.ternary_matmul %x, %w {k = 200 : i64} : tensor<1x200xi8>, tensor<1x4x16xi8> -> tensor<1x1xi16>
  return %acc : tensor<1x1xi16>
}

// -----

// L-Mul matmul: prologue generics split each operand once (B into
// tile-major [N/32][K][32] tables, W into four sign/zero variants selected
// per A element); inf/NaN anywhere selects the exact generic; a range check
// picks the unchecked loop (add, or, and, one f32 add per 16 products) or
// the one that also clamps the exponent. Rows go in groups of 4 sharing the
// B loads. No mulf anywhere.
// CHECK-LABEL: func @lmul_matmul
// CHECK-NOT: arith.mulf
// CHECK: scf.if %{{.*}} -> (tensor<5x40xf32>)
// CHECK:   linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: } else {
// CHECK: scf.if %{{.*}} -> (tensor<5x40xf32>)
// CHECK:   scf.for %[[T:.*]] = %c0 to %c2 step %c1
// CHECK:       scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK:         vector.transfer_read %{{.*}}[%[[T]], %{{.*}}, %c0]{{.*}} : tensor<2x8x32xi32>, vector<16xi32>
// CHECK:         %[[SEL:.*]] = arith.index_castui
// CHECK-NEXT:    arith.addi {{.*}} : vector<16xi32>
// CHECK-NEXT:    vector.transfer_read %{{.*}}[%[[SEL]], %[[T]], {{.*}} : tensor<4x2x8x32xi32>, vector<16xi32>
// CHECK-NEXT:    arith.ori {{.*}} : vector<16xi32>
// CHECK-NEXT:    arith.andi {{.*}} : vector<16xi32>
// CHECK-NEXT:    arith.bitcast {{.*}} : vector<16xi32> to vector<16xf32>
// CHECK-NEXT:    arith.addf {{.*}} : vector<16xf32>
// The fifth row, alone.
// CHECK:       scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>) {
// CHECK: } else {
// CHECK:         arith.minui {{.*}} : vector<16xi32>
// CHECK:         arith.cmpi uge
// CHECK-NOT: arith.mulf
// CHECK: return
func.func @lmul_matmul(%a: tensor<5x8xbf16>, %b: tensor<8x40xbf16>, %c: tensor<5x40xf32>) -> tensor<5x40xf32> {
  %0 = mmfree.lmul_matmul %a, %b, %c {mantissa_bits = 7 : i64} : tensor<5x8xbf16>, tensor<8x40xbf16>, tensor<5x40xf32> -> tensor<5x40xf32>
  return %0 : tensor<5x40xf32>
}

// -----

// A single row (GEMV): the code bits are tested in place, then a select of
// acc + x and one of (that) - x; still no multiply.
// CHECK-LABEL: func @gemv
// CHECK: scf.for {{.*}} -> (vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>)
// CHECK-NOT: arith.muli
// CHECK:   arith.andi {{.*}} : vector<16xi8>
// CHECK:   arith.cmpi ne, {{.*}} : vector<16xi8>
// CHECK:   arith.addi {{.*}} : vector<16xi32>
// CHECK:   arith.select {{.*}} : vector<16xi1>, vector<16xi32>
// CHECK:   arith.subi {{.*}} : vector<16xi32>
// CHECK:   arith.select {{.*}} : vector<16xi1>, vector<16xi32>
// CHECK-NOT: arith.muli
// CHECK: return
func.func @gemv(%x: tensor<1x128xi8>, %w: tensor<4x2x16xi8>) -> tensor<1x4xi32> {
  %acc = mmfree.ternary_matmul %x, %w {k = 128 : i64} : tensor<1x128xi8>, tensor<4x2x16xi8> -> tensor<1x4xi32>
  return %acc : tensor<1x4xi32>
}

// -----

// The dequantization of float sums (no row scale) as the epilogue: each
// f32 sum times the per-tensor weight scale, no conversion or division.
// CHECK-LABEL: func @float_epilogue
// CHECK-NOT: arith.sitofp
// CHECK: %[[WS:.*]] = tensor.extract %arg2[%c0] : tensor<1xf32>
// CHECK: %[[SUM:.*]] = vector.reduction <add>, {{.*}} : vector<16xf32> into f32
// CHECK: %[[Y:.*]] = arith.mulf %[[SUM]], %[[WS]] : f32
// CHECK: tensor.insert %[[Y]]
// CHECK-NOT: arith.divf
// CHECK-NOT: mmfree.dequantize
// CHECK: return
func.func @float_epilogue(%x: tensor<2x64xf32>, %w: tensor<4x1x16xi8>, %ws: tensor<1xf32>) -> tensor<2x4xf32> {
  %acc = mmfree.ternary_matmul %x, %w {k = 64 : i64} : tensor<2x64xf32>, tensor<4x1x16xi8> -> tensor<2x4xf32>
  %y = mmfree.dequantize %acc, %ws : (tensor<2x4xf32>, tensor<1xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
