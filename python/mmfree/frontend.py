"""PyTorch modules to linalg-on-tensors MLIR through torch-mlir's FX importer
(torch.export, then the TorchToLinalg lowering)."""

import torch
from torch_mlir import fx


def export_linalg(module, *example_args, func_name="forward"):
    """The module's forward on `example_args` as linalg-on-tensors text.
    Parameters become dense_resource constants (the form the rewrites fold)."""
    module = module.eval()
    # torch-mlir reads buffers from the state dict, which leaves out
    # non-persistent ones (transformers' rotary inv_freq): make them
    # persistent for the export.
    for sub in module.modules():
        sub._non_persistent_buffers_set.clear()
    with torch.no_grad():
        imported = fx.export_and_import(module, *example_args,
                                        output_type="linalg-on-tensors",
                                        func_name=func_name)
    return str(imported)
