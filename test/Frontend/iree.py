# RUN: %venv_python %s | FileCheck %s
"""Into IREE: torch-mlir exports rewritten by mmfree-opt
--mmfree-matmul-to-ternary --mmfree-lower-to-linalg (upstream linalg, arith,
math and tensor only), compiled by iree-compile (llvm-cpu) and run by
iree-run-module, agree bit for bit with mmfree's own CPU pipeline on the
int8 ternary path (the float parts of a whole block within 1e-5), and with
PyTorch's forward of the same quantized model."""

import torch

from mmfree.compiler import compile_module, mmfree_opt
from mmfree.frontend import export_linalg
from mmfree.iree import compile_vmfb, run_module
from mmfree.models import BitLinear, MatmulFreeBlock
from mmfree.reference import compare, with_ternary_linears

torch.manual_seed(0)

# The last field bounds IREE against our pipeline: 0 where only the ternary
# layer, its quantization and an RMSNorm run; the MatMul-free block's sigmoid,
# SiLU and norms go through each compiler's own exp/rsqrt code.
cases = [
    ("linear-3d", torch.nn.Linear(256, 64), (torch.randn(2, 5, 256),), None, 0),
    ("bitlinear", BitLinear(256, 96), (torch.randn(3, 256),), "self", 0),
    ("matmul-free block", MatmulFreeBlock(128, 256),
     (torch.randn(1, 4, 128), torch.randn(1, 128)), "self", 1e-5),
]
for name, model, args, reference, rtol in cases:
    model.eval()
    text = export_linalg(model, *args)
    portable, _ = mmfree_opt(text, "--mmfree-matmul-to-ternary",
                             "--mmfree-lower-to-linalg")
    assert "mmfree." not in portable.split("{-#")[0]
    arrays = [a.numpy() for a in args]
    got = run_module(compile_vmfb(portable), "forward", arrays)
    lib, _ = compile_module(text, ["--mmfree-matmul-to-ternary"])
    ours = lib.call("forward", arrays, got.shape)
    compare(f"{name} IREE vs mmfree-cpu-pipeline", got, ours, atol=0,
            rtol=rtol)
    with torch.no_grad():
        ref = model if reference == "self" else with_ternary_linears(model)
        want = ref(*args).numpy()
    compare(f"{name} IREE vs PyTorch", got, want, atol=0, rtol=1e-4)

# CHECK: ok linear-3d IREE vs mmfree-cpu-pipeline: max|diff| 0
# CHECK: ok linear-3d IREE vs PyTorch
# CHECK: ok bitlinear IREE vs mmfree-cpu-pipeline: max|diff| 0
# CHECK: ok bitlinear IREE vs PyTorch
# CHECK: ok matmul-free block IREE vs mmfree-cpu-pipeline
# CHECK: ok matmul-free block IREE vs PyTorch
