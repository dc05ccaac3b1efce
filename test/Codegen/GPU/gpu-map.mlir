// RUN: mmfree-opt %s --mmfree-gpu-tile --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --mmfree-gpu-map | FileCheck %s

// The tagged forall nest becomes a gpu.launch over the grid with 128
// threads, thread phases predicated and followed by barriers.
// CHECK-LABEL: func.func @lut
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %{{.*}}, {{.*}}) threads({{.*}}) in ({{.*}} = %c128{{.*}}, {{.*}} = %c1{{.*}}, {{.*}} = %c1{{.*}})
// CHECK: gpu.block_id x
// CHECK: gpu.thread_id x
// CHECK: gpu.barrier
// CHECK: gpu.barrier
// CHECK: gpu.barrier
// CHECK: gpu.terminator
// CHECK-NOT: scf.forall
func.func @lut(%c: tensor<100x8xi8>, %tab: tensor<8x16x10xi8>) -> tensor<100x10xi16> {
  %s = mmfree.lut_matmul %c, %tab {accumulation = #mmfree<lut_accumulation exact>}
      : tensor<100x8xi8>, tensor<8x16x10xi8> -> tensor<100x10xi16>
  return %s : tensor<100x10xi16>
}
