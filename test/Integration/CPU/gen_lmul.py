#!/usr/bin/env python3
"""Writes an MLIR execution test for the L-Mul rewrites.

--op matmul: @kernel is one linalg.matmul on runtime operands of the given
format with an f32 result (plain, B transposed through indexing_maps, or a
linalg.transpose feeding it). --op mul: @kernel is a linalg.generic whose
body multiplies with arith.mulf. @main fills random bit patterns (zeros,
subnormals, huge and tiny values, negatives; see --values) from
the runtime library, calls @kernel, and hands everything to
mmfreeCheckLMul*, which compares bit for bit with lib/Numerics.
"""
import argparse

FORMATS = {"f32": (0, 32), "bf16": (1, 16), "f16": (2, 16),
           "f8E4M3FN": (3, 8), "f8E5M2": (4, 8)}

p = argparse.ArgumentParser()
p.add_argument("--format", choices=FORMATS, required=True)
p.add_argument("--k", type=int, required=True, help="mantissa bits")
p.add_argument("--op", choices=["matmul", "mul"], default="matmul")
p.add_argument("--m", type=int, default=4)
p.add_argument("--n", type=int, default=8)
p.add_argument("--depth", type=int, default=16)
p.add_argument("--form", choices=["plain", "transposed-map", "transpose-op"],
               default="plain")
p.add_argument("--init", choices=["zero", "arg"], default="zero")
VALUE_MODES = ["wide", "specials", "moderate", "small"]  # the runtime's modes
p.add_argument("--values", choices=VALUE_MODES,
               default="wide", help="wide: zeros, subnormals, huge and tiny "
               "values; specials: also inf and NaN; moderate: no product "
               "overflows or underflows (the kernel's unchecked loop); small: "
               "products can underflow but not overflow")
p.add_argument("--seed", type=int, default=1)
a = p.parse_args()

fid, bits = FORMATS[a.format]
T = a.format
M, N, K = a.m, a.n, a.depth
out = []
emit = out.append


def decl(name, args):
    emit(f"func.func private @{name}({args}) attributes {{llvm.emit_c_interface}}")


def alloc_random(name, shape, seed):
    mt = f"memref<{shape}x{T}>"
    emit(f"  %{name}m = memref.alloc() : {mt}")
    emit(f"  %{name}u = memref.cast %{name}m : {mt} to memref<*x{T}>")
    emit(f"  %{name}s = arith.constant {seed} : i64")
    emit(f"  call @mmfreeFillRandomBits{bits}(%{name}u, %{name}s, %fmt, %sp) : "
         f"(memref<*x{T}>, i64, i64, i64) -> ()")
    emit(f"  %{name} = bufferization.to_tensor %{name}m restrict : {mt} to tensor<{shape}x{T}>")


decl(f"mmfreeFillRandomBits{bits}", f"memref<*x{T}>, i64, i64, i64")
decl("mmfreeFillRandomF32", "memref<*xf32>, i64")
if a.op == "mul":
    decl(f"mmfreeCheckLMul{bits}", f"memref<*x{T}>, memref<*x{T}>, memref<*x{T}>, i64, i64")
    tt = f"tensor<{M}x{N}x{T}>"
    emit(f"func.func @kernel(%x: {tt}, %y: {tt}) -> {tt} {{")
    emit(f"  %e = tensor.empty() : {tt}")
    emit("  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, "
         "affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], "
         "iterator_types = [\"parallel\", \"parallel\"]} "
         f"ins(%x, %y : {tt}, {tt}) outs(%e : {tt}) {{")
    emit(f"  ^bb0(%a: {T}, %b: {T}, %o: {T}):")
    emit(f"    %p = arith.mulf %a, %b : {T}")
    emit(f"    linalg.yield %p : {T}")
    emit(f"  }} -> {tt}")
    emit(f"  return %r : {tt}")
    emit("}")
    emit("func.func @main() {")
    emit(f"  %fmt = arith.constant {fid} : i64")
    emit(f"  %sp = arith.constant {VALUE_MODES.index(a.values)} : i64")
    emit(f"  %kb = arith.constant {a.k} : i64")
    alloc_random("x", f"{M}x{N}", a.seed)
    alloc_random("y", f"{M}x{N}", a.seed + 1)
    emit(f"  %z = call @kernel(%x, %y) : ({tt}, {tt}) -> {tt}")
    emit(f"  %zm = bufferization.to_buffer %z read_only : {tt} to memref<{M}x{N}x{T}>")
    emit(f"  %zu = memref.cast %zm : memref<{M}x{N}x{T}> to memref<*x{T}>")
    emit(f"  call @mmfreeCheckLMul{bits}(%xu, %yu, %zu, %fmt, %kb) : "
         f"(memref<*x{T}>, memref<*x{T}>, memref<*x{T}>, i64, i64) -> ()")
    emit("  return")
    emit("}")
    print("\n".join(out))
    raise SystemExit

decl(f"mmfreeCheckLMulMatmul{bits}",
     f"memref<*x{T}>, memref<*x{T}>, memref<*xf32>, memref<*xf32>, i64, i64, i64")
nk = a.form != "plain"
bshape = f"{N}x{K}" if nk else f"{K}x{N}"
at, bt, yt = f"tensor<{M}x{K}x{T}>", f"tensor<{bshape}x{T}>", f"tensor<{M}x{N}xf32>"
ym = f"memref<{M}x{N}xf32>"
args = f"%a: {at}, %b: {bt}" + (f", %init: {yt}" if a.init == "arg" else "")
emit(f"func.func @kernel({args}) -> {yt} {{")
if a.init == "zero":
    emit("  %zero = arith.constant 0.0 : f32")
    emit(f"  %e = tensor.empty() : {yt}")
    emit(f"  %init = linalg.fill ins(%zero : f32) outs(%e : {yt}) -> {yt}")
rhs, rt = "%b", bt
maps = ""
if a.form == "transpose-op":
    emit(f"  %te = tensor.empty() : tensor<{K}x{N}x{T}>")
    emit(f"  %bt = linalg.transpose ins(%b : {bt}) outs(%te : tensor<{K}x{N}x{T}>) permutation = [1, 0]")
    rhs, rt = "%bt", f"tensor<{K}x{N}x{T}>"
elif a.form == "transposed-map":
    maps = ("indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, "
            "affine_map<(d0, d1, d2) -> (d1, d2)>, "
            "affine_map<(d0, d1, d2) -> (d0, d1)>] ")
emit(f"  %y = linalg.matmul {maps}ins(%a, {rhs} : {at}, {rt}) outs(%init : {yt}) -> {yt}")
emit(f"  return %y : {yt}")
emit("}")
emit("func.func @main() {")
emit(f"  %fmt = arith.constant {fid} : i64")
emit(f"  %sp = arith.constant {VALUE_MODES.index(a.values)} : i64")
emit(f"  %kb = arith.constant {a.k} : i64")
emit(f"  %tr = arith.constant {1 if nk else 0} : i64")
alloc_random("a", f"{M}x{K}", a.seed)
alloc_random("b", bshape, a.seed + 1)
emit(f"  %cm = memref.alloc() : {ym}")
emit(f"  %cu = memref.cast %cm : {ym} to memref<*xf32>")
emit(f"  %is = arith.constant {a.seed + 2} : i64")
if a.init == "arg":
    emit("  call @mmfreeFillRandomF32(%cu, %is) : (memref<*xf32>, i64) -> ()")
    emit(f"  %im = memref.alloc() : {ym}")
    emit(f"  %iu = memref.cast %im : {ym} to memref<*xf32>")
    emit("  call @mmfreeFillRandomF32(%iu, %is) : (memref<*xf32>, i64) -> ()")
    emit(f"  %i = bufferization.to_tensor %im restrict writable : {ym} to {yt}")
    emit(f"  %y = call @kernel(%a, %b, %i) : ({at}, {bt}, {yt}) -> {yt}")
else:
    emit("  %z = arith.constant 0.0 : f32")
    emit(f"  linalg.fill ins(%z : f32) outs(%cm : {ym})")
    emit(f"  %y = call @kernel(%a, %b) : ({at}, {bt}) -> {yt}")
emit(f"  %ymm = bufferization.to_buffer %y read_only : {yt} to {ym}")
emit(f"  %yu = memref.cast %ymm : {ym} to memref<*xf32>")
emit(f"  call @mmfreeCheckLMulMatmul{bits}(%au, %bu, %cu, %yu, %fmt, %kb, %tr) : "
     f"(memref<*x{T}>, memref<*x{T}>, memref<*xf32>, memref<*xf32>, i64, i64, i64) -> ()")
emit("  return")
emit("}")
print("\n".join(out))
