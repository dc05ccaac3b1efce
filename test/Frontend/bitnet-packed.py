# RUN: %venv_python %s | FileCheck %s
"""transformers' own BitLinear for pre-quantized checkpoints (2-bit codes
packed 4 rows per byte, unpacked in its forward, a weight scale) with its
weights as function arguments: mmfree-matmul-to-ternary=packed-arguments
recognizes the unpacking, the argument becomes ternary_matmul's layout and
is packed at load time by mmfree.packing. The compiled layer is compared
with transformers' forward on the same packed weights; a checkpoint with a
non-ternary code (3) is refused by the packer."""

import numpy as np
import torch
from transformers.integrations.bitnet import BitLinear, pack_weights

from mmfree.compiler import compile_module
from mmfree.frontend import export_with_parameters
from mmfree.reference import compare

torch.manual_seed(0)


def packed_layer(k, n, bias):
    layer = BitLinear(k, n, bias=bias, dtype=torch.float32)
    values = torch.randint(-1, 2, (n, k)).float()
    layer.weight.copy_(pack_weights(values.clone()))
    layer.weight_scale.fill_(0.37)
    if bias:
        layer.bias.copy_(torch.randn(n))
    return layer.eval(), values


for k, n, bias in [(256, 96, False), (200, 64, True)]:
    layer, values = packed_layer(k, n, bias)
    x = torch.randn(3, 5, k)
    text, names = export_with_parameters(layer, x)
    lib, remarks = compile_module(
        text, ["--mmfree-matmul-to-ternary=packed-arguments"])
    assert "not rewritten" not in remarks, remarks
    packed = lib.packed["forward"]
    print(f"K={k} N={n}: packed arguments {sorted(packed)} of {names}")
    state = dict(layer.named_buffers())
    args = [x.numpy()]
    for i, name in enumerate(names, start=1):
        array = state[name].numpy()
        args.append(packed[i].pack(array, name) if i in packed else array)
    # The packer reproduces the values transformers unpacks.
    assert np.array_equal(packed[1].unpack(state["weight"].numpy()),
                          values.numpy())
    with torch.no_grad():
        want = layer(x).numpy()
    got = lib.call("forward", args, want.shape)
    compare(f"packed bitlinear K={k} N={n}", got, want, atol=0, rtol=0)
# CHECK: K=256 N=96: packed arguments [1] of ['weight', 'weight_scale']
# CHECK: ok packed bitlinear K=256 N=96: max|diff| 0
# CHECK: K=200 N=64: packed arguments [1] of ['weight', 'weight_scale', 'bias']
# CHECK: ok packed bitlinear K=200 N=64: max|diff| 0

# Code 3 (value 2 in transformers' layout) cannot be packed.
bad = layer.weight.numpy().copy()
bad[1, 7] |= 0b11000000
try:
    packed[1].pack(bad, "model.layers.0.mlp.up_proj.weight")
except ValueError as e:
    print("error:", e)
# CHECK: error: model.layers.0.mlp.up_proj.weight: weight [49, 7] has code 3 = 2, not ternary

# One row (a decode step's GEMV) on runtime weights, one and two threads
# (T = 3, 16 and 65 blocks).
for k, n in [(130, 32), (1000, 48), (4160, 96)]:
    layer, values = packed_layer(k, n, False)
    x = torch.randn(1, 1, k)
    text, names = export_with_parameters(layer, x)
    state = dict(layer.named_buffers())
    with torch.no_grad():
        want = layer(x).numpy()
    for threads in (1, 2):
        lib, _ = compile_module(
            text, ["--mmfree-matmul-to-ternary=packed-arguments"],
            f"mmfree-cpu-pipeline=target=host threads={threads}")
        packed = lib.packed["forward"]
        args = [x.numpy()] + [
            packed[i].pack(state[name].numpy(), name) if i in packed
            else state[name].numpy()
            for i, name in enumerate(names, start=1)]
        got = lib.call("forward", args, want.shape)
        compare(f"one row K={k} N={n} threads={threads}", got, want,
                atol=0, rtol=0)
# CHECK: ok one row K=130 N=32 threads=1: max|diff| 0
# CHECK: ok one row K=130 N=32 threads=2: max|diff| 0
# CHECK: ok one row K=1000 N=48 threads=2: max|diff| 0
# CHECK: ok one row K=4160 N=96 threads=2: max|diff| 0
