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


class _WithParameters(torch.nn.Module):
    """`module` with its parameters and buffers as trailing forward
    arguments, so that torch.export makes them function arguments."""

    def __init__(self, module, names):
        super().__init__()
        self.module, self.names = module, names

    def forward(self, *args):
        n = len(args) - len(self.names)
        state = dict(zip(self.names, args[n:]))
        return torch.func.functional_call(self.module, state, args[:n])


def export_with_parameters(module, *example_args, func_name="forward",
                           locations=False):
    """Like export_linalg, but the parameters and buffers become arguments
    after `example_args` (weights loaded at run time, not IR constants).
    With `locations`, the text keeps each op's Python file and line (for
    debug info and profiles). Returns (text, names of those arguments in
    order)."""
    module = module.eval()
    # torch.export makes one input of a tensor passed twice: keep them apart.
    distinct, seen = [], set()
    for a in example_args:
        distinct.append(a.clone() if id(a) in seen else a)
        seen.add(id(a))
    example_args = distinct
    state = dict(module.named_parameters())
    state.update(module.named_buffers())
    names = list(state)
    # As in export_linalg, for the export only: the module's state dict
    # (what checkpoints hold) keeps its non-persistent buffers out.
    saved = {sub: set(sub._non_persistent_buffers_set)
             for sub in module.modules()}
    for sub in saved:
        sub._non_persistent_buffers_set.clear()
    try:
        with torch.no_grad():
            imported = fx.export_and_import(
                _WithParameters(module, names), *example_args,
                *[state[n].detach() for n in names],
                output_type="linalg-on-tensors", func_name=func_name)
    finally:
        for sub, kept in saved.items():
            sub._non_persistent_buffers_set.update(kept)
    if locations:
        return imported.operation.get_asm(enable_debug_info=True), names
    return str(imported), names
