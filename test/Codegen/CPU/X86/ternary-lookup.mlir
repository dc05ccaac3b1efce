// RUN: mmfree-opt %s --mmfree-select-kernels="target=x86-64-v4 ternary-kernel=lookup" --mmfree-lower-to-vector | FileCheck %s
// RUN: mmfree-opt %s --mmfree-lower-to-vector | FileCheck %s --check-prefix=NONE
// RUN: mmfree-opt %s --mmfree-select-kernels=target=x86-64-v4,+avx512vnni --mmfree-lower-to-vector | FileCheck %s --check-prefix=NONE
// RUN: not mmfree-opt %s --mmfree-select-kernels=ternary-kernel=neon 2>&1 | FileCheck %s --check-prefix=BAD

// Weights as [N/64][K/4][64] bit-plane bytes (a compile-time constant), per row a
// table of the 16 subset sums of each group of 4 activations (low and high
// bytes), then per group and 64 channels four byte shuffles and i16 adds,
// widened to i32 every 32 groups. No multiply.
// CHECK-LABEL: func @gemv
// CHECK: arith.constant dense<{{.*}}> : tensor<1x16x64xi8>
// CHECK: arith.select {{.*}} : vector<16xi1>, vector<16xi16>
// CHECK: arith.shrsi {{.*}} : vector<16xi16>
// CHECK-COUNT-4: mmfree.x86_shuffle_bytes {{.*}} : vector<64xi8>
// CHECK: arith.subi {{.*}} : vector<64xi16>
// CHECK: arith.extsi {{.*}} : vector<64xi16> to vector<64xi32>
// CHECK-NOT: arith.muli
// CHECK: return
// NONE-NOT: mmfree.x86_shuffle_bytes
// BAD: for the --ternary-kernel option: Cannot find option named 'neon'
func.func @gemv(%x: tensor<1x64xi8>) -> tensor<1x64xi32> {
  %w = arith.constant dense<6> : tensor<64x1x16xi8>
  %acc = mmfree.ternary_matmul %x, %w {k = 64 : i64}
      : tensor<1x64xi8>, tensor<64x1x16xi8> -> tensor<1x64xi32>
  return %acc : tensor<1x64xi32>
}

// RUN: mmfree-opt %s --mmfree-select-kernels=target=x86-64-v4 --mmfree-lower-to-vector | FileCheck %s --check-prefix=AUTO
// The cost model takes lookups only when forced: without VNNI it picks
// AVX2's byte-pair dots (faster than lookups on an AVX2 Zen).
// AUTO-LABEL: func @gemv
// AUTO: mmfree.x86_multiply_add_bytes
