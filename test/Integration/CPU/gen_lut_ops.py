#!/usr/bin/env python3
"""Writes an MLIR execution test of the MADDNESS ops on their own.

@kernel is mmfree.lut_encode of column-major rows (K x M; row-major M x K
with --row-major) feeding mmfree.lut_matmul with random constant trees and tables, and returns the
integer sums or averages (no rescale: the kernels' integer stores). @main
fills the rows with random values, calls it and prints the result widened
to i32, so that two lowerings can be compared line for line.
"""
import argparse
import numpy as np

from gen_common import dense

p = argparse.ArgumentParser()
p.add_argument("--m", type=int, required=True)
p.add_argument("--k", type=int, required=True)
p.add_argument("--n", type=int, required=True)
p.add_argument("--codebooks", type=int, required=True)
p.add_argument("--accumulation", choices=["exact", "average"], default="exact")
p.add_argument("--row-major", action="store_true")
p.add_argument("--seed", type=int, default=1)
a = p.parse_args()

m, k, n, c = a.m, a.k, a.n, a.codebooks
rng = np.random.default_rng(a.seed)
dims = rng.integers(0, k, size=(c, 4))
thresholds = rng.standard_normal((c, 15)).astype(np.float32) * 0.5
tables = rng.integers(0, 256, size=(c, 16, n))
sum_type = "i8" if a.accumulation == "average" else "i16"


def ints(array):
    return "dense<" + np.array2string(
        np.asarray(array), separator=", ", threshold=1 << 30).replace(
            "\n", "") + ">"


rows_first = a.row_major
xs = (m, k) if rows_first else (k, m)
xt, yt = f"tensor<{xs[0]}x{xs[1]}xf32>", f"tensor<{m}x{n}x{sum_type}>"
xm = f"memref<{xs[0]}x{xs[1]}xf32>"
transpose = "" if rows_first else " {transpose_input}"
print(f"""func.func @kernel(%xt: {xt}) -> {yt} {{
  %dims = arith.constant {ints(dims)} : tensor<{c}x4xi32>
  %thr = arith.constant {dense(thresholds)} : tensor<{c}x15xf32>
  %tab = arith.constant {ints(tables.astype(np.uint8).astype(np.int8))} : tensor<{c}x16x{n}xi8>
  %codes = mmfree.lut_encode %xt, %dims, %thr{transpose}
      : {xt}, tensor<{c}x4xi32>, tensor<{c}x15xf32> -> tensor<{m}x{c}xi8>
  %s = mmfree.lut_matmul %codes, %tab {{accumulation = #mmfree<lut_accumulation {a.accumulation}>}}
      : tensor<{m}x{c}xi8>, tensor<{c}x16x{n}xi8> -> {yt}
  return %s : {yt}
}}
func.func private @mmfreeFillRandomF32(memref<*xf32>, i64) attributes {{llvm.emit_c_interface}}
func.func private @printMemrefI32(memref<*xi32>) attributes {{llvm.emit_c_interface}}
func.func @main() {{
  %seed = arith.constant {a.seed} : i64
  %xm = memref.alloc() : {xm}
  %xu = memref.cast %xm : {xm} to memref<*xf32>
  call @mmfreeFillRandomF32(%xu, %seed) : (memref<*xf32>, i64) -> ()
  %x = bufferization.to_tensor %xm restrict : {xm} to {xt}
  %y = call @kernel(%x) : ({xt}) -> {yt}
  %e = tensor.empty() : tensor<{m}x{n}xi32>
  %w = linalg.generic {{indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}}
      ins(%y : {yt}) outs(%e : tensor<{m}x{n}xi32>) {{
  ^bb0(%v: {sum_type}, %o: i32):
    %z = arith.extui %v : {sum_type} to i32
    linalg.yield %z : i32
  }} -> tensor<{m}x{n}xi32>
  %wm = bufferization.to_buffer %w read_only : tensor<{m}x{n}xi32> to memref<{m}x{n}xi32>
  %wu = memref.cast %wm : memref<{m}x{n}xi32> to memref<*xi32>
  call @printMemrefI32(%wu) : (memref<*xi32>) -> ()
  return
}}""")
