// The MADDNESS GPU kernels for sm_80 and sm_90: encode (rows, split dims
// and thresholds staged in shared memory) and lookups (tables and codes in
// shared memory, exact 16-bit sums); no multiply in any loop of either.
//
// RUN: mmfree-opt %s --mmfree-gpu-pipeline="chip=sm_80" > %t80.mlir
// RUN: %gpu_objects extract %t80.mlir %t80-enc.ptx lut_kernel
// RUN: %gpu_objects extract %t80.mlir %t80-mm.ptx lut_kernel_0
// RUN: FileCheck %s --check-prefixes=ENC,SM80 < %t80-enc.ptx
// RUN: FileCheck %s --check-prefixes=MM,SM80 < %t80-mm.ptx
// RUN: %gpu_objects loops %t80-enc.ptx --forbid mul,mad,fma,dp4a | FileCheck %s --check-prefix=LOOPS
// RUN: %gpu_objects loops %t80-mm.ptx --forbid mul,mad,fma,dp4a | FileCheck %s --check-prefix=LOOPS
// RUN: mmfree-opt %s --mmfree-gpu-pipeline="chip=sm_90" > %t90.mlir
// RUN: %gpu_objects extract %t90.mlir %t90-enc.ptx lut_kernel
// RUN: %gpu_objects extract %t90.mlir %t90-mm.ptx lut_kernel_0
// RUN: FileCheck %s --check-prefixes=ENC,SM90 < %t90-enc.ptx
// RUN: FileCheck %s --check-prefixes=MM,SM90 < %t90-mm.ptx
// RUN: %gpu_objects loops %t90-mm.ptx --forbid mul,mad,fma,dp4a | FileCheck %s --check-prefix=LOOPS
//
// SM80: .target sm_80
// SM90: .target sm_90
// ENC: .visible .entry lut_kernel(
// ENC: bar.sync
// ENC: setp.gt.f32
// ENC: st.global.b8
// MM: .visible .entry lut_kernel(
// MM: bar.sync
// MM: ld.shared.b8
// MM: st.global.b16
// MM-NOT: mul.lo.s16
// LOOPS: loop lut_kernel {{.*}}(inner){{.*}} mul=0 mad=0 fma=0 dp4a=0
// LOOPS-NOT: error

func.func @lut(%x: tensor<256x512xf32>, %dims: tensor<16x4xi32>, %thr: tensor<16x15xf32>, %tables: tensor<16x16x10xi8>) -> tensor<256x10xi16> {
  %codes = mmfree.lut_encode %x, %dims, %thr
      : tensor<256x512xf32>, tensor<16x4xi32>, tensor<16x15xf32> -> tensor<256x16xi8>
  %s = mmfree.lut_matmul %codes, %tables {accumulation = #mmfree<lut_accumulation exact>}
      : tensor<256x16xi8>, tensor<16x16x10xi8> -> tensor<256x10xi16>
  return %s : tensor<256x10xi16>
}
