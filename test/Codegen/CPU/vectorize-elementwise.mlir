// RUN: mmfree-opt %s --mmfree-vectorize-elementwise | FileCheck %s

// Short rows are vectorized whole; long rows in 32-element tiles.
// CHECK-LABEL: func @rescale
// CHECK: scf.for
// CHECK: vector.transfer_read {{.*}} : tensor<1x100xi16>, vector<1x100xi16>
// CHECK: arith.uitofp {{.*}} : vector<1x100xi16> to vector<1x100xf32>
// CHECK: vector.transfer_write {{.*}} : vector<1x100xf32>, tensor<1x100xf32>
#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @rescale(%a: tensor<1000x100xi16>) -> tensor<1000x100xf32> {
  %e = tensor.empty() : tensor<1000x100xf32>
  %r = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<1000x100xi16>) outs(%e : tensor<1000x100xf32>) {
  ^bb0(%in: i16, %out: f32):
    %f = arith.uitofp %in : i16 to f32
    linalg.yield %f : f32
  } -> tensor<1000x100xf32>
  return %r : tensor<1000x100xf32>
}

// CHECK-LABEL: func @long_rows
// CHECK: vector<1x32xf32>
// CHECK-LABEL: func @reduction
// CHECK-NOT: vector.
#id = affine_map<(d0) -> (d0)>
#sum = affine_map<(d0) -> ()>
func.func @long_rows(%a: tensor<2x4096xf32>) -> tensor<2x4096xf32> {
  %e = tensor.empty() : tensor<2x4096xf32>
  %r = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<2x4096xf32>) outs(%e : tensor<2x4096xf32>) {
  ^bb0(%in: f32, %out: f32):
    %f = arith.addf %in, %in : f32
    linalg.yield %f : f32
  } -> tensor<2x4096xf32>
  return %r : tensor<2x4096xf32>
}

// Reductions are not elementwise: left for the loops.
func.func @reduction(%a: tensor<64xf32>, %init: tensor<f32>) -> tensor<f32> {
  %r = linalg.generic {indexing_maps = [#id, #sum], iterator_types = ["reduction"]}
      ins(%a : tensor<64xf32>) outs(%init : tensor<f32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}

// i1 tensors (attention masks) stay scalar: LLVM packs vectors of i1 into
// bits, their tensors hold a byte per element.
// CHECK-LABEL: func @mask
// CHECK-NOT: vector.transfer_read
// CHECK: linalg.generic
func.func @mask(%a: tensor<4x12xi1>, %b: tensor<4x12xi1>) -> tensor<4x12xi1> {
  %e = tensor.empty() : tensor<4x12xi1>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : tensor<4x12xi1>, tensor<4x12xi1>) outs(%e : tensor<4x12xi1>) {
  ^bb0(%x: i1, %y: i1, %o: i1):
    %z = arith.andi %x, %y : i1
    linalg.yield %z : i1
  } -> tensor<4x12xi1>
  return %r : tensor<4x12xi1>
}

// A zero-size generic (found by mmfree-fuzz: mmfree.lmul on tensor<2x0xf16>)
// does nothing; upstream tiling takes no zero tile: left to linalg loops.
// CHECK-LABEL: func @empty
// CHECK-NOT: vector.transfer_read
// CHECK: linalg.generic
func.func @empty(%a: tensor<2x0xf32>) -> tensor<2x0xf32> {
  %e = tensor.empty() : tensor<2x0xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<2x0xf32>) outs(%e : tensor<2x0xf32>) {
  ^bb0(%x: f32, %o: f32):
    %z = arith.addf %x, %x : f32
    linalg.yield %z : f32
  } -> tensor<2x0xf32>
  return %r : tensor<2x0xf32>
}
