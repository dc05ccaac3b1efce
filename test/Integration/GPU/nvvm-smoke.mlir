// mmfree-opt carries the LLVM IR translations the upstream NVVM pipeline
// needs to serialize GPU modules: PTX text for sm_80 (PTX 8.0 must be asked
// for; the default PTX 6.0 predates sm_80).
// RUN: mmfree-opt %s --gpu-lower-to-nvvm-pipeline="cubin-chip=sm_80 cubin-features=+ptx80 cubin-format=isa" | FileCheck %s
// CHECK: gpu.binary @add_kernel
// CHECK-SAME: .target sm_80
// CHECK-SAME: add.rn.f32

module attributes {gpu.container_module} {
  func.func @add(%a: memref<256xf32>, %b: memref<256xf32>) {
    %c1 = arith.constant 1 : index
    %c256 = arith.constant 256 : index
    gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c256, %sy = %c1, %sz = %c1) {
      %v = memref.load %a[%tx] : memref<256xf32>
      %w = memref.load %b[%tx] : memref<256xf32>
      %s = arith.addf %v, %w : f32
      memref.store %s, %a[%tx] : memref<256xf32>
      gpu.terminator
    }
    return
  }
}
