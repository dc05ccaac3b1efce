// RUN: mmfree-opt %s --mmfree-lower-to-vector="ternary-dots=none ternary-lookup=avx512bw" | FileCheck %s
// RUN: mmfree-opt %s --mmfree-lower-to-vector="ternary-dots=none ternary-lookup=none" | FileCheck %s --check-prefix=NONE
// RUN: mmfree-opt %s --mmfree-lower-to-vector="ternary-dots=avx512vnni ternary-lookup=auto" | FileCheck %s --check-prefix=NONE
// RUN: not mmfree-opt %s --mmfree-lower-to-vector=ternary-lookup=neon 2>&1 | FileCheck %s --check-prefix=BAD

// Weights as [N/64][K/4][64] bit-plane bytes (a compile-time constant), per row a
// table of the 16 subset sums of each group of 4 activations (low and high
// bytes), then per group and 64 channels four byte shuffles and i16 adds,
// widened to i32 every 32 groups. No multiply.
// CHECK-LABEL: func @gemv
// CHECK: arith.constant dense<{{.*}}> : tensor<1x16x64xi8>
// CHECK: arith.select {{.*}} : vector<16xi1>, vector<16xi16>
// CHECK: arith.shrsi {{.*}} : vector<16xi16>
// CHECK-COUNT-4: mmfree.shuffle_bytes {{.*}} : vector<64xi8>
// CHECK: arith.subi {{.*}} : vector<64xi16>
// CHECK: arith.extsi {{.*}} : vector<64xi16> to vector<64xi32>
// CHECK-NOT: arith.muli
// CHECK: return
// NONE-NOT: mmfree.shuffle_bytes
// BAD: error: mmfree-lower-to-vector: unknown ternary-lookup 'neon'; expected auto, avx512bw, avx2 or none
func.func @gemv(%x: tensor<1x64xi8>) -> tensor<1x64xi32> {
  %w = arith.constant dense<6> : tensor<64x1x16xi8>
  %acc = mmfree.ternary_matmul %x, %w {k = 64 : i64}
      : tensor<1x64xi8>, tensor<64x1x16xi8> -> tensor<1x64xi32>
  return %acc : tensor<1x64xi32>
}

// RUN: mmfree-opt %s --mmfree-lower-to-vector="ternary-dots=none ternary-lookup=auto" | FileCheck %s --check-prefix=AUTO
// The cost model without VNNI picks lookups where the CPU has byte shuffles
// (this test's host has AVX-512BW or at least AVX2, as the REQUIRES says).
// REQUIRES: avx2
// AUTO-LABEL: func @gemv
// AUTO: mmfree.shuffle_bytes
