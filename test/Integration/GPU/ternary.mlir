// The ternary GPU kernel for sm_80 and sm_90: one entry, 16-byte weight
// loads, activations staged in shared memory, barriers between the phases,
// and no multiply (mul, mad, fma, dp4a) in any loop.
//
// RUN: mmfree-opt %s --mmfree-gpu-pipeline="chip=sm_80" > %t80.mlir
// RUN: %gpu_objects extract %t80.mlir %t80.ptx
// RUN: FileCheck %s --check-prefixes=PTX,SM80 < %t80.ptx
// RUN: %gpu_objects loops %t80.ptx --forbid mul,mad,fma,dp4a | FileCheck %s --check-prefix=LOOPS
// RUN: mmfree-opt %s --mmfree-gpu-pipeline="chip=sm_90" > %t90.mlir
// RUN: %gpu_objects extract %t90.mlir %t90.ptx
// RUN: FileCheck %s --check-prefixes=PTX,SM90 < %t90.ptx
// RUN: %gpu_objects loops %t90.ptx --forbid mul,mad,fma,dp4a | FileCheck %s --check-prefix=LOOPS
//
// SM80: .target sm_80
// SM90: .target sm_90
// PTX: .visible .entry ternary_kernel(
// PTX: .shared .align 16 .b8
// PTX: ld.global.v4.b32
// PTX: bar.sync
// PTX-NOT: dp4a
// LOOPS: loop ternary_kernel {{.*}}(inner){{.*}} mul=0 mad=0 fma=0 dp4a=0
// LOOPS-NOT: error

func.func @ternary(%x: tensor<8x4096xi8>, %w: tensor<4096x64x16xi8>) -> tensor<8x4096xi32> {
  %acc = mmfree.ternary_matmul %x, %w {k = 4096 : i64}
      : tensor<8x4096xi8>, tensor<4096x64x16xi8> -> tensor<8x4096xi32>
  return %acc : tensor<8x4096xi32>
}
