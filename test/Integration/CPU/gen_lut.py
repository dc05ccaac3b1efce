#!/usr/bin/env python3
"""Writes an MLIR execution test for the MADDNESS rewrite.

Saves calibration rows (N(0,1), float32) to --npy for the pass, and writes
@kernel (one f32 linalg.matmul with constant weights in the chosen form)
and @main, which fills random activations in the runtime library, calls
@kernel and hands activations, weights, calibration rows (embedded again as
a dense_resource) and output to mmfreeCheckLut; that re-learns the model with
lib/Numerics and compares every output bit.
"""
import argparse
import numpy as np

from gen_common import dense, emit_activations_and_call

p = argparse.ArgumentParser()
p.add_argument("--m", type=int, required=True)
p.add_argument("--k", type=int, required=True)
p.add_argument("--n", type=int, required=True)
p.add_argument("--form", choices=["plain", "transposed-map", "transpose-op"],
               default="plain")
p.add_argument("--init", choices=["zero", "arg"], default="zero")
p.add_argument("--a-layout", choices=["row-major", "column-major"],
               default="row-major",
               help="column-major: @kernel takes A's transpose (K x M) and "
                    "transposes it back with linalg.transpose")
p.add_argument("--dynamic-rows", action="store_true",
               help="the matmul in @kernel_rows on a dynamic row count, "
                    "@kernel casting to and from it")
p.add_argument("--codebooks", type=int, default=8)
p.add_argument("--accumulation", choices=["exact", "average"], default="exact")
p.add_argument("--calib-rows", type=int, default=512)
p.add_argument("--npy", required=True)
p.add_argument("--seed", type=int, default=1)
a = p.parse_args()

m, k, n = a.m, a.k, a.n
rng = np.random.default_rng(a.seed)
calib = rng.standard_normal((a.calib_rows, k)).astype(np.float32)
np.save(a.npy, calib)
nk = a.form != "plain"
wshape = (n, k) if nk else (k, n)
w = (rng.standard_normal(wshape) * 0.1).astype(np.float32)
wattr = dense(w)
wtype = f"tensor<{wshape[0]}x{wshape[1]}xf32>"
blob = (4).to_bytes(4, "little") + calib.astype("<f4").tobytes()

rows = "?" if a.dynamic_rows else str(m)
xt, yt = f"tensor<{rows}x{k}xf32>", f"tensor<{rows}x{n}xf32>"
ct, cm = f"tensor<{a.calib_rows}x{k}xf32>", f"memref<{a.calib_rows}x{k}xf32>"
out = []
emit = out.append
colmajor = a.a_layout == "column-major"
xarg = f"%xt: tensor<{k}x{rows}xf32>" if colmajor else f"%x: {xt}"
args = xarg + (f", %init: {yt}" if a.init == "arg" else "")
if a.dynamic_rows:
    assert a.init == "zero", "--dynamic-rows takes a zero init"
    st, sy = (f"tensor<{k}x{m}xf32>" if colmajor else f"tensor<{m}x{k}xf32>",
              f"tensor<{m}x{n}xf32>")
    dt = f"tensor<{k}x?xf32>" if colmajor else xt
    emit(f"func.func @kernel(%s: {st}) -> {sy} {{")
    emit(f"  %d = tensor.cast %s : {st} to {dt}")
    emit(f"  %r = call @kernel_rows(%d) : ({dt}) -> {yt}")
    emit(f"  %y = tensor.cast %r : {yt} to {sy}")
    emit(f"  return %y : {sy}")
    emit("}")
    emit(f"func.func @kernel_rows({args}) -> {yt} {{")
    src = "%xt" if colmajor else "%x"
    emit(f"  %c{1 if colmajor else 0} = arith.constant {1 if colmajor else 0} : index")
    emit(f"  %m = tensor.dim {src}, %c{1 if colmajor else 0} : {dt}")
    sizes = "(%m)"
else:
    emit(f"func.func @kernel({args}) -> {yt} {{")
    sizes = "()"
if colmajor:
    emit(f"  %xe = tensor.empty{sizes} : {xt}")
    emit(f"  %x = linalg.transpose ins(%xt : tensor<{k}x{rows}xf32>) outs(%xe : {xt}) permutation = [1, 0]")
emit(f"  %w = arith.constant {wattr} : {wtype}")
if a.init == "zero":
    emit("  %zero = arith.constant 0.0 : f32")
    emit(f"  %empty = tensor.empty{sizes} : {yt}")
    emit(f"  %init = linalg.fill ins(%zero : f32) outs(%empty : {yt}) -> {yt}")
rhs, rt, maps = "%w", wtype, ""
if a.form == "transpose-op":
    emit(f"  %te = tensor.empty() : tensor<{k}x{n}xf32>")
    emit(f"  %wt = linalg.transpose ins(%w : {wtype}) outs(%te : tensor<{k}x{n}xf32>) permutation = [1, 0]")
    rhs, rt = "%wt", f"tensor<{k}x{n}xf32>"
elif a.form == "transposed-map":
    maps = ("indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, "
            "affine_map<(d0, d1, d2) -> (d1, d2)>, "
            "affine_map<(d0, d1, d2) -> (d0, d1)>] ")
emit(f"  %y = linalg.matmul {maps}ins(%x, {rhs} : {xt}, {rt}) outs(%init : {yt}) -> {yt}")
emit(f"  return %y : {yt}")
emit("}")
emit("func.func private @mmfreeFillRandomF32(memref<*xf32>, i64) attributes {llvm.emit_c_interface}")
emit("func.func private @mmfreeCheckLut(memref<*xf32>, memref<*xf32>, memref<*xf32>, memref<*xf32>, memref<*xf32>, i64, i64, i64) attributes {llvm.emit_c_interface}")
emit("func.func @main() {")
emit_activations_and_call(emit, m, k, n, a.init, a.seed, colmajor)
emit(f"  %wc = arith.constant {wattr} : {wtype}")
emit(f"  %wm = bufferization.to_buffer %wc read_only : {wtype} to memref<{wshape[0]}x{wshape[1]}xf32>")
emit(f"  %wu = memref.cast %wm : memref<{wshape[0]}x{wshape[1]}xf32> to memref<*xf32>")
emit(f"  %calib = arith.constant dense_resource<calibration> : {ct}")
emit(f"  %calm = bufferization.to_buffer %calib read_only : {ct} to {cm}")
emit(f"  %calu = memref.cast %calm : {cm} to memref<*xf32>")
emit(f"  %layout = arith.constant {1 if nk else 0} : i64")
emit(f"  %books = arith.constant {a.codebooks} : i64")
emit(f"  %avg = arith.constant {1 if a.accumulation == 'average' else 0} : i64")
emit("  call @mmfreeCheckLut(%xu, %wu, %calu, %cu, %yu, %layout, %books, %avg) : (memref<*xf32>, memref<*xf32>, memref<*xf32>, memref<*xf32>, memref<*xf32>, i64, i64, i64) -> ()")
emit("  return")
emit("}")
emit("{-#\n  dialect_resources: {\n    builtin: {\n      calibration: \"0x" + blob.hex().upper() + "\"\n    }\n  }\n#-}")
print("\n".join(out))
