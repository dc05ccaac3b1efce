"""Per-layer method choice: a chosen decoder layer compiled with its own
weights as IR constants, so that the rewrites that need weights at compile
time apply to it: T-MAC-style ternary lookups (`lookup`, exact: the same
integer sums as the ternary kernels) or MADDNESS tables learned from
activations recorded by running the PyTorch model (`maddness`, an
approximation). The other layers keep runtime packed weights."""

import copy
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from transformers.integrations.bitnet import BitLinear, unpack_weights


class DenseBitLinear(BitLinear):
    """transformers' BitLinear with its ternary values held unpacked, in
    f32 (`dense`): exported as a constant, the product's weights fold at
    compile time. Same arithmetic as BitLinear.forward."""

    @classmethod
    def of(cls, linear):
        dense = cls(linear.in_features, linear.out_features,
                    bias=linear.bias is not None, dtype=torch.float32)
        dense.weight = None  # the packed codes: not exported
        dense.weight_scale = linear.weight_scale
        if linear.bias is not None:
            dense.bias = linear.bias
        dense.rms_norm = linear.rms_norm
        dense.register_buffer(
            "dense", unpack_weights(linear.weight, dtype=torch.float32))
        return dense

    def forward(self, input):
        if self.rms_norm is not None:
            input = self.rms_norm(input)
        input_quant, input_scale = self.activation_quant(input)
        y = F.linear(input_quant.to(torch.float32), self.dense)
        y = self.post_quant_process(y, self.weight_scale, input_scale)
        if self.bias is not None:
            y += self.bias.view(1, -1).expand_as(y)
        return y


def with_dense_projections(module):
    """A copy of `module` whose BitLinears are DenseBitLinears."""
    module = copy.deepcopy(module)

    def replace(parent):
        for name, child in parent.named_children():
            if isinstance(child, BitLinear):
                setattr(parent, name, DenseBitLinear.of(child))
            else:
                replace(child)
    replace(module)
    return module


def record_activations(layer, run):
    """The rows each BitLinear of `layer` multiplies (its int8-valued
    activations, after its own RMSNorm if it has one) while `run()` runs the
    PyTorch model: (name, module, rows) per projection in the order they
    first ran, the order of their contractions in the exported layer."""
    rows, hooks = {}, []

    def hook(module, args):
        x = args[0]
        if module.rms_norm is not None:
            x = module.rms_norm(x)
        q, _ = module.activation_quant(x)
        rows.setdefault(module, []).append(
            q.float().reshape(-1, q.shape[-1]).numpy())

    names = {}
    for name, m in layer.named_modules():
        if isinstance(m, BitLinear):
            names[m] = name
            hooks.append(m.register_forward_pre_hook(hook))
    try:
        with torch.no_grad():
            run()
    finally:
        for h in hooks:
            h.remove()
    return [(names[m], m, np.concatenate(r)) for m, r in rows.items()]


class _Product(torch.nn.Module):
    def __init__(self, weights):
        super().__init__()
        self.register_buffer("weights", weights)

    def forward(self, x):
        return F.linear(x, self.weights)


def projection_errors(plan, layer, train, test, codebooks):
    """MADDNESS on each projection of layer `layer` alone: learned from the
    rows PyTorch multiplies on the `train` tokens, run (compiled) on the
    rows of the `test` tokens; (name, K, N, ||approx - exact|| / ||exact||)
    per projection."""
    from .compiler import compile_module
    from .frontend import export_linalg
    module = plan.layer_module(layer)
    learn = record_activations(module, lambda: plan.run_reference(train))
    check = record_activations(module, lambda: plan.run_reference(test))
    where = Path(tempfile.mkdtemp(prefix="mmfree-maddness-"))
    errors = []
    for (name, linear, rows), (_, _, held) in zip(learn, check):
        np.save(where / "rows.npy", rows)
        w = unpack_weights(linear.weight, dtype=torch.float32)
        lib, _ = compile_module(
            export_linalg(_Product(w), torch.zeros(held.shape)),
            [f"--mmfree-matmul-to-lut=calibration={where / 'rows.npy'} "
             f"codebooks={codebooks}"], "mmfree-cpu-pipeline=target=host",
            workdir=where, name=name.replace(".", "_"))
        got = lib.call("forward", [held], (held.shape[0], w.shape[0]))
        want = held @ w.numpy().T
        errors.append((name, held.shape[1], w.shape[0],
                       float(np.linalg.norm(got - want) /
                             np.linalg.norm(want))))
    return errors


@dataclass
class Method:
    """How a chosen layer is rewritten and compiled."""
    name: str
    codebooks: int = 16

    def rewrite(self, calibration_files):
        if self.name == "lookup":
            return ["--mmfree-matmul-to-ternary=only-ternary-weights"]
        files = ",".join(map(str, calibration_files))
        return [f"--mmfree-matmul-to-lut=calibration={files} "
                f"codebooks={self.codebooks}"]

    def pipeline(self, pipeline):
        if self.name == "lookup":
            return pipeline + " ternary-kernel=lookup"
        return pipeline

    @property
    def needs_calibration(self):
        return self.name == "maddness"


METHODS = ("lookup", "maddness")


def parse(text, layers, codebooks=16):
    """`0=maddness,3=lookup` -> {0: Method, 3: Method}; errors name the
    bad entry."""
    chosen = {}
    for entry in filter(None, text.split(",")):
        index, _, name = entry.partition("=")
        if not index.strip().isdigit() or name not in METHODS:
            raise ValueError(f"'{entry}': expected LAYER=METHOD with METHOD "
                             f"one of {', '.join(METHODS)}")
        if int(index) >= layers:
            raise ValueError(f"'{entry}': the model has {layers} layers")
        chosen[int(index)] = Method(name, codebooks)
    return chosen


def calibration_files(plan, layer, tokens):
    """Runs the PyTorch model over `tokens` and writes the rows each
    projection of layer `layer` multiplies, one .npy file per projection;
    returns their paths."""
    rows = record_activations(plan.layer_module(layer),
                              lambda: plan.run_reference(tokens))
    where = Path(tempfile.mkdtemp(prefix="mmfree-calibration-"))
    paths = []
    for i, (_, _, r) in enumerate(rows):
        paths.append(where / f"layer{layer}-{i}.npy")
        np.save(paths[-1], r.astype(np.float32))
    return paths
