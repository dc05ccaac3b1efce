// The patterns' debug logs (LDBG, by debug type), enabled by mmfree-opt's
// --mmfree-debug-only since Debian's LLVM has no -debug-only.
// RUN: mmfree-opt %s --canonicalize --mmfree-debug-only=mmfree-canonicalize 2>&1 >/dev/null | FileCheck %s --check-prefix=FOLD
// FOLD: [mmfree-canonicalize {{.*}}] folding to its destinations: {{.*}}mmfree.ternary_matmul
// RUN: mmfree-opt %s --mmfree-select-kernels=target=x86-64-v4 --mmfree-lower-to-vector --mmfree-debug-only=mmfree-lower-to-vector,mmfree-gpu-tile 2>&1 >/dev/null | FileCheck %s --check-prefix=KERNEL
// KERNEL: [mmfree-lower-to-vector {{.*}}] ternary kernel #mmfree.kernel<{{.*}}> for {{.*}}tensor<4x64xi8>
// RUN: mmfree-opt %s --mmfree-select-kernels=target=x86-64-v4 --mmfree-lower-to-vector 2>&1 >/dev/null | FileCheck %s --check-prefix=QUIET --allow-empty
// QUIET-NOT: ternary kernel

func.func @empty(%x: tensor<0x64xi8>, %w: tensor<4x1x16xi8>) -> tensor<0x4xi32> {
  %r = mmfree.ternary_matmul %x, %w {k = 64} : tensor<0x64xi8>, tensor<4x1x16xi8> -> tensor<0x4xi32>
  return %r : tensor<0x4xi32>
}

func.func @layer(%x: tensor<4x64xi8>, %w: tensor<16x1x16xi8>) -> tensor<4x16xi32> {
  %r = mmfree.ternary_matmul %x, %w {k = 64} : tensor<4x64xi8>, tensor<16x1x16xi8> -> tensor<4x16xi32>
  return %r : tensor<4x16xi32>
}
