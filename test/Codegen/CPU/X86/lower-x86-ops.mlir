// RUN: mmfree-opt %s --mmfree-lower-x86-ops | FileCheck %s

// CHECK-LABEL: func @widths
// CHECK: llvm.call_intrinsic "llvm.x86.ssse3.pshuf.b.128"(%{{.*}}, %{{.*}}) : (vector<16xi8>, vector<16xi8>) -> vector<16xi8>
// CHECK: llvm.call_intrinsic "llvm.x86.avx2.pshuf.b"(%{{.*}}, %{{.*}}) : (vector<32xi8>, vector<32xi8>) -> vector<32xi8>
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.pshuf.b.512"(%{{.*}}, %{{.*}}) : (vector<64xi8>, vector<64xi8>) -> vector<64xi8>
// CHECK-NOT: mmfree.x86_shuffle_bytes
func.func @widths(%a: vector<16xi8>, %b: vector<32xi8>, %c: vector<64xi8>) -> (vector<16xi8>, vector<32xi8>, vector<64xi8>) {
  %0 = mmfree.x86_shuffle_bytes %a, %a : vector<16xi8>
  %1 = mmfree.x86_shuffle_bytes %b, %b : vector<32xi8>
  %2 = mmfree.x86_shuffle_bytes %c, %c : vector<64xi8>
  return %0, %1, %2 : vector<16xi8>, vector<32xi8>, vector<64xi8>
}

// CHECK-LABEL: func @dot
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%{{.*}}, %{{.*}}, %{{.*}}) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
func.func @dot(%acc: vector<16xi32>, %a: vector<64xi8>, %b: vector<64xi8>) -> vector<16xi32> {
  %0 = mmfree.x86_dot_bytes %acc, %a, %b : vector<16xi32>, vector<64xi8>
  return %0 : vector<16xi32>
}

// CHECK-LABEL: func @permute
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.permvar.sf.512"(%{{.*}}, %{{.*}}) : (vector<16xf32>, vector<16xi32>) -> vector<16xf32>
// CHECK-NOT: mmfree.x86_permute_lanes
func.func @permute(%t: vector<16xf32>, %i: vector<16xi32>) -> vector<16xf32> {
  %0 = mmfree.x86_permute_lanes %t, %i : vector<16xf32>, vector<16xi32>
  return %0 : vector<16xf32>
}

// The affine byte map's immediate becomes a constant operand.
// CHECK-LABEL: func @affine
// CHECK: %[[IMM:.*]] = llvm.mlir.constant(1 : i8) : i8
// CHECK: llvm.call_intrinsic "llvm.x86.vgf2p8affineqb.512"(%{{.*}}, %{{.*}}, %[[IMM]]) : (vector<64xi8>, vector<64xi8>, i8) -> vector<64xi8>
// CHECK: llvm.call_intrinsic "llvm.x86.vgf2p8affineqb.256"
// CHECK-NOT: mmfree.x86_affine_bytes
func.func @affine(%a: vector<64xi8>, %m: vector<64xi8>, %b: vector<32xi8>) -> (vector<64xi8>, vector<32xi8>) {
  %0 = mmfree.x86_affine_bytes %a, %m, 1 : vector<64xi8>
  %1 = mmfree.x86_affine_bytes %b, %b, 1 : vector<32xi8>
  return %0, %1 : vector<64xi8>, vector<32xi8>
}
