"""The MatMul-free LM (Zhu et al. 2024, "Scalable MatMul-free Language
Modeling") written from the paper for inference, one token per call: every
projection is transformers' BitLinear for pre-quantized checkpoints (RMSNorm
on its input, per-token absmax int8 activations, ternary weights stored as
2-bit codes and unpacked in forward, one weight scale), so the same
checkpoint layout serves both families.

Each layer: the MLGRU token mixer
    f = sigmoid(BitLinear_f(x)), c = silu(BitLinear_c(x)),
    h = f * h_prev + (1 - f) * c, g = sigmoid(BitLinear_g(x)),
    x = x + BitLinear_o(g * h)
then the GLU channel mixer
    x = x + BitLinear_down(silu(BitLinear_gate(x)) * BitLinear_up(x)).
An embedding, a final RMSNorm and an f32 output head frame the layers.
The recurrent state h of every layer is passed in and out of each step."""

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from transformers.integrations.bitnet import BitLinear, pack_weights

from .runner import stored_as


@dataclass
class Config:
    vocab: int = 256
    dim: int = 64
    hidden: int = 128
    layers: int = 2
    eps: float = 1e-6


# Published sizes (the paper's Table: 370M, 1.3B, 2.7B), vocab of its
# Mistral tokenizer.
SIZES = {
    "tiny": Config(),
    "370m": Config(32000, 1024, 2816, 24),
    "1.3b": Config(32000, 2048, 5632, 24),
    "2.7b": Config(32000, 2560, 6912, 32),
}


def _bitlinear(cfg, k, n):
    return BitLinear(k, n, bias=False, dtype=torch.float32, use_rms_norm=True,
                     rms_norm_eps=cfg.eps)


class Layer(torch.nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, h = cfg.dim, cfg.hidden
        self.f, self.c, self.g, self.o = (_bitlinear(cfg, d, d)
                                          for _ in range(4))
        self.gate, self.up = _bitlinear(cfg, d, h), _bitlinear(cfg, d, h)
        self.down = _bitlinear(cfg, h, d)

    def forward(self, x, h):
        f = torch.sigmoid(self.f(x))
        h = f * h + (1 - f) * F.silu(self.c(x))
        x = x + self.o(torch.sigmoid(self.g(x)) * h)
        return x + self.down(F.silu(self.gate(x)) * self.up(x)), h


class MatmulFreeLM(torch.nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.embed = torch.nn.Embedding(cfg.vocab, cfg.dim)
        self.layers = torch.nn.ModuleList(Layer(cfg) for _ in range(cfg.layers))
        self.norm = torch.nn.RMSNorm(cfg.dim, eps=cfg.eps)
        self.head = torch.nn.Linear(cfg.dim, cfg.vocab, bias=False)

    def forward(self, tokens, state):
        """One decode step: tokens [B] (int64), state [layers, B, dim] ->
        (logits [B, vocab], next state)."""
        x = self.embed(tokens)
        states = []
        for layer, h in zip(self.layers, state.unbind(0)):
            x, h = layer(x, h)
            states.append(h)
        return self.head(self.norm(x)), torch.stack(states)

    def initial_state(self, batch=1):
        return torch.zeros(self.cfg.layers, batch, self.cfg.dim)


def randomize(model, seed=0):
    """Random weights: ternary codes packed as transformers stores them,
    per-layer weight scales, norm weights near 1, a normal embedding and
    head."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, BitLinear):
                n, k = module.out_features, module.in_features
                values = torch.randint(-1, 2, (n, k), generator=gen).float()
                module.weight.copy_(pack_weights(values))
                # transformers divides by weight_scale: 1 / mean|W|.
                module.weight_scale.fill_(
                    float(1 + torch.rand(1, generator=gen)) * k ** 0.5)
            elif isinstance(module, (torch.nn.RMSNorm,)) or \
                    type(module).__name__ == "LlamaRMSNorm":
                module.weight.copy_(
                    1 + 0.1 * torch.randn(module.weight.shape, generator=gen))
        model.embed.weight.copy_(
            torch.randn(model.embed.weight.shape, generator=gen))
        model.head.weight.copy_(
            torch.randn(model.head.weight.shape, generator=gen)
            / model.cfg.dim ** 0.5)
    return model



class _Embed(torch.nn.Module):
    def __init__(self, model, dtype):
        super().__init__()
        self.embed = stored_as(model.embed, dtype)

    def forward(self, tokens):
        return self.embed(tokens).float()


class _Head(torch.nn.Module):
    def __init__(self, model, dtype):
        super().__init__()
        self.norm, self.head = model.norm, stored_as(model.head, dtype)

    def forward(self, x):
        return F.linear(self.norm(x), self.head.weight.float())


class Plan:
    """The MatMul-free LM as runner.LayeredLM runs it: embedding, one layer
    (x, h) -> (x, h) called per layer, head; embedding and head kept in
    `table_dtype`."""

    def __init__(self, model, table_dtype=torch.float32):
        self.model, self.layers = model, model.cfg.layers
        self.table_dtype = table_dtype

    def parts(self):
        # Distinct example tensors: torch.export merges an input passed twice.
        def x():
            return torch.zeros(1, self.model.cfg.dim)
        return [(_Embed(self.model, self.table_dtype), (torch.tensor([1]),)),
                self.layer_part(None),
                (_Head(self.model, self.table_dtype), (x(),))]

    def layer_part(self, length, layer=0):
        x = torch.zeros(1, self.model.cfg.dim)
        return self.model.layers[layer], (x, x.clone())

    def layer_module(self, layer):
        return self.model.layers[layer]

    def tables(self):
        """The embedding and head weights (held in `table_dtype`)."""
        return [self.model.embed.weight, self.model.head.weight]

    def run_reference(self, tokens):
        """The model's forward over `tokens`, one step per token."""
        state = self.model.initial_state()
        for t in tokens:
            _, state = self.model(torch.tensor([t]), state)

    def reference(self):
        """(step, state) of the PyTorch model, for runner.decode."""
        def step(tokens, state):
            with torch.no_grad():
                logits, state = self.model(torch.from_numpy(tokens), state)
            return logits.numpy(), state
        return step, self.model.initial_state()

    @staticmethod
    def name(part, arg, layer=0):
        return f"layers.{layer}.{arg}" if part == "layer" else arg

    # One compiled layer: the state does not grow with the position.
    lengths = (None,)

    @staticmethod
    def length_for(position):
        return None

    @staticmethod
    def call_layer(call, x, shared, own):
        """One layer's step: (x, h) -> (x, h)."""
        x, *own = call(None, [x, *shared, *own])
        return x, tuple(own)

    def initial_state(self):
        # Distinct arrays: compiled functions may update arguments in place.
        return (), [(np.zeros((1, self.model.cfg.dim), dtype=np.float32),)
                    for _ in range(self.layers)]

    @staticmethod
    def next_shared(shared):
        return shared
