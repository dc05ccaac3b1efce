// Failures of the upstream GPU mapping are reported at the user's op (the
// mapping sequence is built at each kernel's location), and a kernel inside
// the user's scf.forall gets its own error.
// RUN: mmfree-opt %s -split-input-file --mmfree-gpu-pipeline -verify-diagnostics

func.func @too_many_threads(%x: memref<64xf32>) {
  // expected-error @below {{the number of required parallel resources (blocks or threads) 2000 overflows the number of available resources 128}}
  scf.forall (%i) in (4) {
    scf.forall (%j) in (2000) {
      %c = arith.constant 1.0 : f32
      memref.store %c, %x[%i] : memref<64xf32>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>], mmfree.gpu_block_dims = array<i64: 128, 1, 1>}
  return
}

// -----

func.func @nested(%x: tensor<4x64xi8>, %w: tensor<8x1x16xi8>) -> tensor<4x8xi32> {
  %e = tensor.empty() : tensor<4x8xi32>
  // expected-note @below {{the enclosing scf.forall}}
  %r = scf.forall (%i) in (2) shared_outs(%o = %e) -> tensor<4x8xi32> {
    %off = affine.apply affine_map<(d0) -> (d0 * 4)>(%i)
    %ws = tensor.extract_slice %w[%off, 0, 0] [4, 1, 16] [1, 1, 1] : tensor<8x1x16xi8> to tensor<4x1x16xi8>
    // expected-error @below {{cannot map to the GPU: this kernel is inside an scf.forall}}
    %t = mmfree.ternary_matmul %x, %ws {k = 64} : tensor<4x64xi8>, tensor<4x1x16xi8> -> tensor<4x4xi32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %t into %o[0, %off] [4, 4] [1, 1] : tensor<4x4xi32> into tensor<4x8xi32>
    }
  }
  return %r : tensor<4x8xi32>
}
