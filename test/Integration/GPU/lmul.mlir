// The L-Mul GPU kernel for sm_80 and sm_90 (bf16 operands, nn.Linear
// weight layout): products are integer adds, sums add.rn.f32; no mul.f32,
// fma.f32 or integer multiply in any loop.
//
// RUN: mmfree-opt %s --mmfree-gpu-pipeline="chip=sm_80" > %t80.mlir
// RUN: %gpu_objects extract %t80.mlir %t80.ptx
// RUN: FileCheck %s --check-prefixes=PTX,SM80 < %t80.ptx
// RUN: %gpu_objects loops %t80.ptx --forbid mul,mad,fma | FileCheck %s --check-prefix=LOOPS
// RUN: mmfree-opt %s --mmfree-gpu-pipeline="chip=sm_90" > %t90.mlir
// RUN: %gpu_objects extract %t90.mlir %t90.ptx
// RUN: FileCheck %s --check-prefixes=PTX,SM90 < %t90.ptx
// RUN: %gpu_objects loops %t90.ptx --forbid mul,mad,fma | FileCheck %s --check-prefix=LOOPS
//
// SM80: .target sm_80
// SM90: .target sm_90
// PTX: .visible .entry lmul_kernel(
// PTX: ld.shared.b16
// PTX: add.rn.f32
// PTX: bar.sync
// PTX-NOT: mul.rn.f32
// PTX-NOT: fma.rn.f32
// LOOPS: loop lmul_kernel {{.*}}(inner){{.*}} mul=0 mad=0 fma=0 dp4a=0
// LOOPS-NOT: error

func.func @lmul(%a: tensor<64x512xbf16>, %b: tensor<256x512xbf16>, %c: tensor<64x256xf32>) -> tensor<64x256xf32> {
  %r = mmfree.lmul_matmul %a, %b, %c {mantissa_bits = 7 : i64, transpose_rhs}
      : tensor<64x512xbf16>, tensor<256x512xbf16>, tensor<64x256xf32> -> tensor<64x256xf32>
  return %r : tensor<64x256xf32>
}
