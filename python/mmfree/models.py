"""Small PyTorch models written from their papers, for the front-end and
model tests: BitNet's BitLinear, the MatMul-free LM block, a transformer
block."""

import math

import torch
import torch.nn.functional as F


def weight_quant(w):
    """BitNet b1.58 absmean weights: round(w / mean|w|) clamped, times
    mean|w| (as the reference inference code computes it)."""
    scale = 1.0 / w.abs().mean().clamp(min=1e-5)
    return (w * scale).round().clamp(-1, 1) / scale


def activation_quant(x):
    """Per-token absmax int8 activations, dequantized."""
    scale = 127.0 / x.abs().max(dim=-1, keepdim=True).values.clamp(min=1e-5)
    return (x * scale).round().clamp(-128, 127) / scale


class RMSNorm(torch.nn.Module):
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = torch.nn.Parameter(1 + 0.1 * torch.randn(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * \
            self.weight


class BitLinear(torch.nn.Linear):
    """BitNet b1.58's BitLinear at inference: RMSNorm, int8 activations,
    ternary weights quantized in forward from the f32 master weights."""

    def __init__(self, in_features, out_features, norm=True):
        super().__init__(in_features, out_features, bias=False)
        self.norm = RMSNorm(in_features) if norm else None

    def forward(self, x):
        if self.norm is not None:
            x = self.norm(x)
        return F.linear(activation_quant(x), weight_quant(self.weight))


class Int8Linear(torch.nn.Module):
    """A layer stored as int8 weights with one scale per output channel,
    dequantized in forward (as quantized checkpoints are loaded)."""

    def __init__(self, in_features, out_features, ternary=True):
        super().__init__()
        low = -1 if ternary else -127
        self.register_buffer("qweight", torch.randint(
            low, -low + 1, (out_features, in_features), dtype=torch.int8))
        self.register_buffer("scale", 0.01 + torch.rand(out_features, 1))
        self.bias = torch.nn.Parameter(torch.randn(out_features))

    def forward(self, x):
        return F.linear(x, self.qweight.float() * self.scale, self.bias)


class MatmulFreeBlock(torch.nn.Module):
    """One MatMul-free LM layer (Zhu et al. 2024) over a sequence: the MLGRU
    token mixer (f = sigmoid, c = silu, h = f * h + (1 - f) * c, output gate
    g) and the GLU channel mixer, every projection a BitLinear with its
    RMSNorm, residual connections."""

    def __init__(self, dim, hidden):
        super().__init__()
        self.f, self.c, self.g, self.o = (BitLinear(dim, dim) for _ in range(4))
        self.gate, self.up = BitLinear(dim, hidden), BitLinear(dim, hidden)
        self.down = BitLinear(hidden, dim)

    def forward(self, x, h):
        f = torch.sigmoid(self.f(x))
        c = F.silu(self.c(x))
        g = torch.sigmoid(self.g(x))
        outs = []
        for t in range(x.shape[1]):
            h = f[:, t] * h + (1 - f[:, t]) * c[:, t]
            outs.append(h)
        x = x + self.o(g * torch.stack(outs, dim=1))
        return x + self.down(F.silu(self.gate(x)) * self.up(x))


class TransformerBlock(torch.nn.Module):
    """Pre-norm attention and GELU FFN on batch x sequence x dim."""

    def __init__(self, dim, heads, hidden):
        super().__init__()
        self.heads = heads
        self.norm1, self.norm2 = torch.nn.LayerNorm(dim), torch.nn.LayerNorm(dim)
        self.q, self.k, self.v, self.o = (torch.nn.Linear(dim, dim)
                                          for _ in range(4))
        self.up, self.down = torch.nn.Linear(dim, hidden), torch.nn.Linear(hidden, dim)

    def forward(self, x):
        b, s, d = x.shape
        h = self.norm1(x)
        split = lambda t: t.view(b, s, self.heads, -1).transpose(1, 2)
        q, k, v = split(self.q(h)), split(self.k(h)), split(self.v(h))
        att = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d // self.heads), -1)
        x = x + self.o((att @ v).transpose(1, 2).reshape(b, s, d))
        return x + self.down(F.gelu(self.up(self.norm2(x))))
