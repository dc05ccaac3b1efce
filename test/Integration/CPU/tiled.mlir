// The contractions tiled and fused by upstream tile-and-fuse (TilingInterface
// on the mmfree ops), then compiled by mmfree-cpu-pipeline and compared bit
// for bit with lib/Numerics. This file is the transform library.
//
// BitLinear: dequantize tiled 4 x 16, ternary_matmul and quantize_rows fused.
// RUN: %python %S/gen_ternary.py --m 7 --k 130 --n 32 --seed 3 | mmfree-opt --mmfree-matmul-to-ternary --transform-preload-library=transform-library-paths=%s --transform-interpreter=entry-point=fuse_bitlinear --resolve-ranked-shaped-type-result-dims --canonicalize --cse --mmfree-cpu-pipeline=target=x86-64-v4 | %run_cpu | FileCheck %s --check-prefix=T
// T: mmfree-check: PASS m=7 n=32 k=130 mode=int8 bit-exact
// RUN: %python %S/gen_ternary.py --m 9 --k 200 --n 48 --per-channel --seed 4 | mmfree-opt --mmfree-matmul-to-ternary=scale=per-channel --transform-preload-library=transform-library-paths=%s --transform-interpreter=entry-point=fuse_bitlinear --resolve-ranked-shaped-type-result-dims --canonicalize --cse --mmfree-cpu-pipeline=target=generic | %run_cpu | FileCheck %s --check-prefix=P
// P: mmfree-check: PASS m=9 n=48 k=200 mode=int8 bit-exact
//
// The channels split in two by scf.forall (mmfree-cpu-pipeline runs an
// scf.forall in order: GPU-form kernels rely on it; CPU threads come from
// the kernel attribute).
// RUN: %python %S/gen_ternary.py --m 5 --k 100 --n 64 --seed 5 | mmfree-opt --mmfree-matmul-to-ternary --transform-preload-library=transform-library-paths=%s --transform-interpreter=entry-point=split_channels --resolve-ranked-shaped-type-result-dims --canonicalize --cse --mmfree-cpu-pipeline=target=x86-64-v3 | %run_cpu | FileCheck %s --check-prefix=S
// S: mmfree-check: PASS m=5 n=64 k=100 mode=int8 bit-exact
//
// L-Mul: M, N and the reduction tiled (K in increasing order keeps the sums
// in the reference order).
// RUN: %python %S/gen_lmul.py --format bf16 --k 7 --m 5 --n 24 --depth 64 --form transpose-op --init arg --seed 6 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=7 --transform-preload-library=transform-library-paths=%s --transform-interpreter=entry-point=tile_lmul --canonicalize --cse --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=L
// L: mmfree-check: PASS lmul_matmul bf16 k=7 m=5 n=24 depth=64 bit-exact
// RUN: %python %S/gen_lmul.py --format f32 --k 23 --m 3 --n 16 --depth 30 --form plain --init zero --seed 7 | mmfree-opt --mmfree-matmul-to-lmul=mantissa-bits=23 --transform-preload-library=transform-library-paths=%s --transform-interpreter=entry-point=tile_lmul --canonicalize --cse --mmfree-cpu-pipeline | %run_cpu | FileCheck %s --check-prefix=R
// R: mmfree-check: PASS lmul_matmul f32 k=23 m=3 n=16 depth=30 bit-exact
//
// MADDNESS: lut_matmul tiled 4 x 16, lut_encode fused.
// RUN: %python %S/gen_lut.py --m 7 --k 64 --n 32 --codebooks 8 --npy %t-1.npy --seed 8 | mmfree-opt --mmfree-matmul-to-lut="calibration=%t-1.npy codebooks=8 accumulation=exact" --transform-preload-library=transform-library-paths=%s --transform-interpreter=entry-point=fuse_lut --resolve-ranked-shaped-type-result-dims --canonicalize --cse --mmfree-cpu-pipeline=target=x86-64-v3 | %run_cpu | FileCheck %s --check-prefix=M
// M: mmfree-check: PASS lut m=7 n=32 k=64 codebooks=8 exact bit-exact

module attributes {transform.with_named_sequence} {
  transform.named_sequence @fuse_bitlinear(%root: !transform.any_op {transform.readonly}) {
    %deq = transform.structured.match ops{["mmfree.dequantize"]} in %root
        : (!transform.any_op) -> !transform.any_op
    %tiled, %rows, %channels = transform.structured.fuse %deq tile_sizes [4, 16]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    transform.yield
  }
  transform.named_sequence @split_channels(%root: !transform.any_op {transform.readonly}) {
    %mm = transform.structured.match ops{["mmfree.ternary_matmul"]} in %root
        : (!transform.any_op) -> !transform.any_op
    %tiled, %forall = transform.structured.tile_using_forall %mm num_threads [0, 2]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
  transform.named_sequence @tile_lmul(%root: !transform.any_op {transform.readonly}) {
    %mm = transform.structured.match ops{["mmfree.lmul_matmul"]} in %root
        : (!transform.any_op) -> !transform.any_op
    %tiled, %l0, %l1, %l2 = transform.structured.tile_using_for %mm tile_sizes [2, 8, 16]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    transform.yield
  }
  transform.named_sequence @fuse_lut(%root: !transform.any_op {transform.readonly}) {
    %mm = transform.structured.match ops{["mmfree.lut_matmul"]} in %root
        : (!transform.any_op) -> !transform.any_op
    %tiled, %rows, %outputs = transform.structured.fuse %mm tile_sizes [4, 16]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    transform.yield
  }
}
