# RUN: %venv_python %s | FileCheck %s
"""MADDNESS on torch-mlir exports. An nn.Linear (K = 64) is learned from
calibration rows of its input and becomes table lookups; in an MLP, the
layer of another width (K = 128) is left alone with a remark. Compiled
models are compared with PyTorch's f32 forward: MADDNESS approximates, so
the bound is on the relative error ||y - y_ref|| / ||y_ref||, on fresh rows
from the calibration's distribution (32 codebooks of 2 columns)."""

import tempfile

import numpy as np
import torch

from mmfree.compiler import compile_module
from mmfree.frontend import export_linalg

torch.manual_seed(0)
rng = np.random.default_rng(0)
basis = rng.standard_normal((8, 64)).astype(np.float32)


def rows(n):
    """Activations with the structure MADDNESS exploits (rank 8 + noise)."""
    z = rng.standard_normal((n, 8)).astype(np.float32)
    return z @ basis + 0.05 * rng.standard_normal((n, 64)).astype(np.float32)


calibration = tempfile.NamedTemporaryFile(suffix=".npy", delete=False).name
np.save(calibration, rows(4096))
x = torch.from_numpy(rows(200))
linear = torch.nn.Linear(64, 128).eval()
mlp = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(),
                          torch.nn.Linear(128, 10)).eval()
# Bounds: 1.5 times the errors measured here (linear: exact 0.132, average
# 0.167; MLP: 0.129, 0.160).
for name, model, bounds in (("linear", linear, (0.2, 0.25)),
                            ("mlp", mlp, (0.2, 0.25))):
    text = export_linalg(model, x)
    with torch.no_grad():
        want = model(x).numpy()
    for accumulation, bound in zip(("exact", "average"), bounds):
        lib, remarks = compile_module(text, [
            f"--mmfree-matmul-to-lut=calibration={calibration} codebooks=32 "
            f"accumulation={accumulation}"])
        for line in remarks.splitlines():
            if "remark: " in line:
                print("left alone:", line.split("remark: ")[1])
        got = lib.call("forward", [x.numpy()], want.shape)
        err = np.linalg.norm(got - want) / np.linalg.norm(want)
        print(f"{'ok' if err < bound else 'FAIL'} {name} lut {accumulation}: "
              f"relative error {err:.4f} (bound {bound})")
# CHECK-NOT: left alone
# CHECK: ok linear lut exact
# CHECK-NOT: left alone
# CHECK: ok linear lut average
# CHECK: left alone: not rewritten to table lookups: calibration rows have 64 columns but this contraction reduces over 128
# CHECK: ok mlp lut exact
# CHECK: left alone: not rewritten to table lookups: calibration rows have 64 columns
# CHECK: ok mlp lut average
