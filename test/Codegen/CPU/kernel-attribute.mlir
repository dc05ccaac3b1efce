// RUN: mmfree-opt %s -split-input-file --mmfree-lower-to-vector -verify-diagnostics | FileCheck %s

// mmfree-lower-to-vector obeys the module's target without
// mmfree-select-kernels and without the host: VNNI dots from the attribute.
// CHECK-LABEL: func @from_module_target
// CHECK: mmfree.x86_dot_bytes
// CHECK-NOT: mmfree.target
module attributes {mmfree.target = #mmfree.cpu_target<arch = "x86_64",
    features = "+avx2,+avx512bw,+avx512f,+avx512vnni">} {
func.func @from_module_target(%x: tensor<4x256xi8>, %w: tensor<16x4x16xi8>)
    -> tensor<4x16xi32> {
  %r = mmfree.ternary_matmul %x, %w {k = 256 : i64}
      : tensor<4x256xi8>, tensor<16x4x16xi8> -> tensor<4x16xi32>
  return %r : tensor<4x16xi32>
}
}

// -----

// A kernel attribute overrides the target: selects on a VNNI target.
// CHECK-LABEL: func @from_op_kernel
// CHECK-NOT: mmfree.x86_dot_bytes
// CHECK: return
module attributes {mmfree.target = #mmfree.cpu_target<arch = "x86_64",
    features = "+avx2,+avx512bw,+avx512f,+avx512vnni">} {
func.func @from_op_kernel(%x: tensor<4x256xi8>, %w: tensor<16x4x16xi8>)
    -> tensor<4x16xi32> {
  %r = mmfree.ternary_matmul %x, %w
      {k = 256 : i64, mmfree.kernel = #mmfree.kernel<select, generic>}
      : tensor<4x256xi8>, tensor<16x4x16xi8> -> tensor<4x16xi32>
  return %r : tensor<4x16xi32>
}
}

// -----

func.func @lookup_needs_constants(%x: tensor<4x256xi8>, %w: tensor<64x4x16xi8>)
    -> tensor<4x64xi32> {
  // expected-error-re @below {{kernel #mmfree.kernel<lookup, avx512> cannot lower this op: lookups need constant weights{{$}}}}
  %r = mmfree.ternary_matmul %x, %w
      {k = 256 : i64, mmfree.kernel = #mmfree.kernel<lookup, avx512>}
      : tensor<4x256xi8>, tensor<64x4x16xi8> -> tensor<4x64xi32>
  return %r : tensor<4x64xi32>
}
