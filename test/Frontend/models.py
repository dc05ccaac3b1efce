# RUN: %venv_python %s | FileCheck %s
"""Whole blocks exported by torch-mlir, rewritten, compiled ahead of time
and run against PyTorch: BitNet's BitLinear (quantizing in its forward: the
PyTorch model is itself the reference), a MatMul-free LM block, and a
transformer block (nn.Linear layers; the attention products, two runtime
operands varying along the batch, are left alone with a remark)."""

import torch

from mmfree.compiler import compile_module
from mmfree.frontend import export_linalg
from mmfree.models import (BitLinear, Int8Linear, MatmulFreeBlock,
                           TransformerBlock)
from mmfree.reference import (compare, ternary_reference, with_lmul_linears,
                              with_ternary_linears)

torch.manual_seed(0)


def run(name, model, args, flags, reference, rtol, remarked=0):
    text = export_linalg(model, *args)
    lib, remarks = compile_module(text, flags)
    left = remarks.count("not rewritten")
    print(f"{name}: {left} contractions left alone")
    assert left == remarked, remarks
    with torch.no_grad():
        want = reference(*args).numpy()
    got = lib.call("forward", [a.numpy() for a in args], want.shape)
    compare(name, got, want, atol=0, rtol=rtol)


ternary = ["--mmfree-matmul-to-ternary"]

bitlinear = BitLinear(256, 96).eval()
x = torch.randn(3, 5, 256)
# PyTorch sums K = 256 f32 products in its own order: 1e-5 of max|y|.
run("bitlinear ternary", bitlinear, (x,), ternary, bitlinear, 1e-5)
# CHECK: bitlinear ternary: 0 contractions left alone
# CHECK: ok bitlinear ternary

# int8 weight buffers times a per-channel scale, dequantized in forward: the
# fold sees through sitofp and the multiply; ternary int8 codes keep their
# values with scale=per-channel, exactly.
layer = Int8Linear(192, 80).eval()
x = torch.randn(2, 3, 192)
weight = layer.qweight.float() * layer.scale
run("int8 weights x scale ternary", layer, (x,),
    ["--mmfree-matmul-to-ternary=scale=per-channel only-ternary-weights"],
    ternary_reference(weight, layer.bias, per_channel=True), 1e-6)
# CHECK: int8 weights x scale ternary: 0 contractions left alone
# CHECK: ok int8 weights x scale ternary: max|diff| 0

block = MatmulFreeBlock(128, 256).eval()
x, h = torch.randn(2, 4, 128), torch.randn(2, 128)
# Several layers: a last-bit difference before an activation quantization
# may move one int8 step; 1e-4 of max|y| bounds that.
run("matmul-free block ternary", block, (x, h), ternary, block, 1e-4)
# CHECK: matmul-free block ternary: 0 contractions left alone
# CHECK: ok matmul-free block ternary

block = TransformerBlock(64, 4, 128).eval()
x = torch.randn(1, 6, 64)
run("transformer ternary", block, (x,), ternary, with_ternary_linears(block),
    1e-4, remarked=2)
run("transformer lmul", block, (x,), ["--mmfree-matmul-to-lmul"],
    with_lmul_linears(block), 1e-5, remarked=2)
# CHECK: transformer ternary: 2 contractions left alone
# CHECK: ok transformer ternary
# CHECK: transformer lmul: 2 contractions left alone
# CHECK: ok transformer lmul
