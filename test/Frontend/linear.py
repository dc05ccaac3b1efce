# RUN: %venv_python %s | FileCheck %s
"""nn.Linear on 2-D and 3-D inputs and an MLP autoencoder, exported by
torch-mlir, rewritten by each rewrite, compiled ahead of time, run, and
compared with PyTorch's forward of the same quantized model."""

import numpy as np
import torch

from mmfree.compiler import compile_module
from mmfree.frontend import export_linalg
from mmfree.reference import compare, with_lmul_linears, with_ternary_linears

torch.manual_seed(0)


class MLP(torch.nn.Module):
    """An autoencoder: 96 -> 64 -> 24 -> 64 -> 96."""

    def __init__(self):
        super().__init__()
        self.enc = torch.nn.Sequential(torch.nn.Linear(96, 64), torch.nn.GELU(),
                                       torch.nn.Linear(64, 24))
        self.dec = torch.nn.Sequential(torch.nn.Linear(24, 64), torch.nn.ReLU(),
                                       torch.nn.Linear(64, 96))

    def forward(self, x):
        return self.dec(self.enc(x))


cases = [
    ("linear-2d", torch.nn.Linear(80, 48), torch.randn(5, 80)),
    ("linear-3d", torch.nn.Linear(80, 48, bias=False), torch.randn(2, 7, 80)),
    ("mlp", MLP(), torch.randn(6, 96)),
]

for name, model, x in cases:
    model.eval()
    text = export_linalg(model, x)
    with torch.no_grad():
        want_f32 = model(x).numpy()
    # The f32 path: our pipeline on the export as it is.
    lib, _ = compile_module(text)
    compare(f"{name} f32", lib.call("forward", [x.numpy()], want_f32.shape),
            want_f32, atol=1e-5, rtol=1e-5)
    variants = [
        ("ternary int8", ["--mmfree-matmul-to-ternary"],
         with_ternary_linears(model), 1e-6),
        ("ternary float per-channel",
         ["--mmfree-matmul-to-ternary=activations=float scale=per-channel"],
         with_ternary_linears(model, activations="float", per_channel=True),
         1e-5),
        ("lmul", ["--mmfree-matmul-to-lmul"], with_lmul_linears(model), 1e-6),
    ]
    for variant, flags, reference, rtol in variants:
        lib, remarks = compile_module(text, flags)
        # Every contraction of these models is a layer: none is left alone.
        assert "not rewritten" not in remarks, remarks
        with torch.no_grad():
            want = reference(x).numpy()
        got = lib.call("forward", [x.numpy()], want.shape)
        compare(f"{name} {variant}", got, want, atol=0, rtol=rtol)

# CHECK: ok linear-2d f32
# CHECK: ok linear-2d ternary int8
# CHECK: ok linear-2d ternary float per-channel
# CHECK: ok linear-2d lmul
# CHECK: ok linear-3d f32
# CHECK: ok linear-3d ternary int8
# CHECK: ok linear-3d ternary float per-channel
# CHECK: ok linear-3d lmul
# CHECK: ok mlp f32
# CHECK: ok mlp ternary int8
# CHECK: ok mlp ternary float per-channel
# CHECK: ok mlp lmul
