#!/usr/bin/env python3
"""Writes an MLIR execution test for the ternary rewrite.

@kernel holds one linalg.matmul with constant weights in the form a front end
emits; @main fills random activations (in the runtime library, from a seed),
calls @kernel, and hands inputs, weights and output to
mmfreeCheckTernary{F32,I8}, which compares them with lib/Numerics.
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
p.add_argument("--weights", choices=["dense", "resource", "i8-resource"],
               default="dense")
p.add_argument("--values", choices=["float", "scaled-ternary"],
               default="float")
p.add_argument("--init", choices=["zero", "arg"], default="zero")
p.add_argument("--float-activations", action="store_true")
p.add_argument("--per-channel", action="store_true")
p.add_argument("--seed", type=int, default=1)
p.add_argument("--weight-type", choices=["f32", "f16"], default="f32",
               help="f16: the kernel takes f16 weights as an argument and "
               "widens them before the matmul (torch-mlir's `weight.float()`)")
p.add_argument("--check", choices=["ternary", "matmul"], default="ternary",
               help="compare with the ternary reference or the exact f32 "
               "matmul (for the f32 path, without the rewrite)")
a = p.parse_args()

m, k, n = a.m, a.k, a.n
rng = np.random.default_rng(a.seed)
nk = a.form != "plain"  # weights stored N x K
wshape = (n, k) if nk else (k, n)
if a.weights == "i8-resource":
    w = rng.integers(-1, 2, size=wshape).astype(np.int8)
    welt = "i8"
elif a.values == "scaled-ternary":
    w = (rng.integers(-1, 2, size=wshape) * 0.0625).astype(np.float32)
    welt = "f32"
else:
    w = (rng.standard_normal(wshape) * 0.05).astype(np.float32)
    welt = "f32"
if a.weight_type == "f16":  # the checker reads the same values in f32
    w = w.astype(np.float16).astype(np.float32)
wtype = f"tensor<{wshape[0]}x{wshape[1]}x{welt}>"
wftype = f"tensor<{wshape[0]}x{wshape[1]}xf32>"

resources = ""
if a.weights == "dense":
    wattr = dense(w)
else:
    align = w.dtype.itemsize
    blob = align.to_bytes(4, "little") + w.astype(w.dtype.newbyteorder("<")).tobytes()
    wattr = "dense_resource<weights>"
    resources = ('{-#\n  dialect_resources: {\n    builtin: {\n      weights: "0x'
                 + blob.hex().upper() + '"\n    }\n  }\n#-}\n')

xt, yt = f"tensor<{m}x{k}xf32>", f"tensor<{m}x{n}xf32>"
out = []
emit = out.append
kernel_args = f"%x: {xt}" + (f", %init: {yt}" if a.init == "arg" else "")
htype = wtype.replace("xf32>", "xf16>")
if a.weight_type == "f16":
    kernel_args += f", %wh: {htype}"
emit(f"func.func @kernel({kernel_args}) -> {yt} {{")
if welt == "i8":
    emit(f"  %wc = arith.constant {wattr} : {wtype}")
    emit(f"  %w = arith.sitofp %wc : {wtype} to {wftype}")
elif a.weight_type == "f16":
    emit(f"  %w = arith.extf %wh : {htype} to {wtype}")
else:
    emit(f"  %w = arith.constant {wattr} : {wtype}")
if a.init == "zero":
    emit("  %zero = arith.constant 0.0 : f32")
    emit(f"  %empty = tensor.empty() : {yt}")
    emit(f"  %init = linalg.fill ins(%zero : f32) outs(%empty : {yt}) -> {yt}")
if a.form == "transpose-op":
    emit(f"  %te = tensor.empty() : tensor<{k}x{n}xf32>")
    emit(f"  %b = linalg.transpose ins(%w : {wftype}) outs(%te : tensor<{k}x{n}xf32>) permutation = [1, 0]")
    btype, b = f"tensor<{k}x{n}xf32>", "%b"
else:
    btype, b = wftype, "%w"
maps = ""
if a.form == "transposed-map":
    maps = ("indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, "
            "affine_map<(d0, d1, d2) -> (d1, d2)>, "
            "affine_map<(d0, d1, d2) -> (d0, d1)>] ")
emit(f"  %y = linalg.matmul {maps}ins(%x, {b} : {xt}, {btype}) outs(%init : {yt}) -> {yt}")
emit(f"  return %y : {yt}")
emit("}")

check = ("mmfreeCheckTernary" if a.check == "ternary" else "mmfreeCheckMatmul") \
    + ("I8" if welt == "i8" else "F32")
wm = f"memref<{wshape[0]}x{wshape[1]}x{welt}>"
emit("func.func private @mmfreeFillRandomF32(memref<*xf32>, i64) attributes {llvm.emit_c_interface}")
emit(f"func.func private @{check}(memref<*xf32>, memref<*x{welt}>, memref<*xf32>, memref<*xf32>, i64, i64, i64) attributes {{llvm.emit_c_interface}}")
emit("func.func @main() {")
if a.weight_type == "f16":
    emit(f"  %wh = arith.constant {wattr} : {htype}")
emit_activations_and_call(emit, m, k, n, a.init, a.seed,
                          weights=("%wh", htype) if a.weight_type == "f16"
                          else None)
emit(f"  %wc = arith.constant {wattr} : {wtype}")
emit(f"  %wm = bufferization.to_buffer %wc read_only : {wtype} to {wm}")
emit(f"  %wu = memref.cast %wm : {wm} to memref<*x{welt}>")
emit(f"  %layout = arith.constant {1 if nk else 0} : i64")
emit(f"  %fa = arith.constant {1 if a.float_activations else 0} : i64")
emit(f"  %pc = arith.constant {1 if a.per_channel else 0} : i64")
emit(f"  call @{check}(%xu, %wu, %cu, %yu, %layout, %fa, %pc) : (memref<*xf32>, memref<*x{welt}>, memref<*xf32>, memref<*xf32>, i64, i64, i64) -> ()")
emit("  return")
emit("}")
print("\n".join(out))
print(resources, end="")
