// mmfree-cpu-pipeline{out-params}: results are caller-allocated arguments
// written in place, static scratch lives on the stack. The kernels call no
// malloc, and stay bit-exact against lib/Numerics; the caller (the
// generated @main) allocates the result once.
//
// RUN: %python %S/gen_ternary.py --m 6 --k 200 --n 32 --seed 11 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline="target=x86-64-v4 out-params" > %t-t.mlir
// RUN: %run_cpu < %t-t.mlir | FileCheck %s --check-prefix=T
// RUN: FileCheck %s --check-prefix=NOALLOC < %t-t.mlir
// T: mmfree-check: PASS m=6 n=32 k=200 mode=int8 bit-exact
// NOALLOC-LABEL: llvm.func @kernel(
// NOALLOC-NOT: @malloc
// NOALLOC-NOT: @free
// NOALLOC: llvm.return
// NOALLOC-NEXT: }
//
// A layer whose i32 sums (1024 x 128: 512 KB) would exceed the stack
// limit: its dequantization is the kernel's epilogue, so that no
// accumulator exists at all (one and two threads).
// RUN: %python %S/gen_ternary.py --m 1024 --k 64 --n 128 --seed 12 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline="target=host out-params" > %t-b.mlir
// RUN: %run_cpu < %t-b.mlir | FileCheck %s --check-prefix=B
// RUN: FileCheck %s --check-prefix=NOALLOC < %t-b.mlir
// RUN: %python %S/gen_ternary.py --m 1024 --k 64 --n 128 --seed 12 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline="target=host threads=2 out-params" > %t-b2.mlir
// RUN: %run_cpu < %t-b2.mlir | FileCheck %s --check-prefix=B
// RUN: FileCheck %s --check-prefix=NOALLOC < %t-b2.mlir
// B: mmfree-check: PASS m=1024 n=128 k=64 mode=int8 bit-exact
//
// Generic vectors, two threads (the scratch of the parallel region too):
// RUN: %python %S/gen_ternary.py --m 9 --k 300 --n 48 --form transpose-op --seed 31 | mmfree-opt --mmfree-matmul-to-ternary --mmfree-cpu-pipeline="target=generic threads=2 out-params" > %t-g.mlir
// RUN: %run_cpu < %t-g.mlir | FileCheck %s --check-prefix=G
// RUN: FileCheck %s --check-prefix=NOALLOC < %t-g.mlir
// G: mmfree-check: PASS m=9 n=48 k=300 mode=int8 bit-exact
//
// MADDNESS lookups and L-Mul products:
// RUN: %python %S/gen_lut.py --m 7 --k 64 --n 10 --codebooks 8 --npy %t-l.npy --seed 2 | mmfree-opt --mmfree-matmul-to-lut="calibration=%t-l.npy codebooks=8 accumulation=exact" --mmfree-cpu-pipeline=out-params > %t-l.mlir
// RUN: %run_cpu < %t-l.mlir | FileCheck %s --check-prefix=L
// RUN: FileCheck %s --check-prefix=NOALLOC < %t-l.mlir
// L: mmfree-check: PASS lut m=7 n=10 k=64 codebooks=8 exact bit-exact
// RUN: %python %S/gen_lmul.py --format f32 --k 7 --m 3 --n 27 --depth 59 --form transpose-op --init arg --seed 2 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=7 --mmfree-cpu-pipeline=out-params > %t-m.mlir
// RUN: %run_cpu < %t-m.mlir | FileCheck %s --check-prefix=M
// RUN: FileCheck %s --check-prefix=NOALLOC < %t-m.mlir
// M: mmfree-check: PASS lmul_matmul f32 k=7 m=3 n=27 depth=59 bit-exact
//
// Dynamic shapes: the result is still the caller's buffer (the caller
// sizes it), scratch of dynamic size stays on the heap.
// RUN: mmfree-opt %s --mmfree-matmul-to-ternary --mmfree-cpu-pipeline=out-params | FileCheck %s --check-prefix=DYN
// DYN: llvm.func @dynamic(
// DYN-SAME: %arg14: !llvm.ptr
// DYN: llvm.call @malloc
func.func @dynamic(%x: tensor<?x64xf32>, %c: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %w = arith.constant dense<1.0> : tensor<64x8xf32>
  %r = linalg.matmul ins(%x, %w : tensor<?x64xf32>, tensor<64x8xf32>) outs(%c : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %r : tensor<?x8xf32>
}
