"""PyTorch/NumPy references of what mmfree's rewrites compute, mirroring
lib/Numerics: a model rewritten by mmfree-matmul-to-ternary is compared with
the same model whose nn.Linear layers compute these semantics."""

import copy

import numpy as np
import torch

SCALE_EPSILON = np.float32(1e-5)


def ternarize(w, per_channel=False):
    """(values in {-1, 0, 1}, scales) of an N x K weight as
    numerics::ternarize: weights already c * {-1, 0, 1} keep c, others get
    the absmean scale (summed in double), values round(w / s) clamped."""
    w = np.asarray(w, dtype=np.float32)
    groups = w if per_channel else w.reshape(1, -1)
    values, scales = [], []
    for g in groups:
        a = np.abs(g)
        nonzero = a[a != 0]
        if nonzero.size == 0:
            s = np.float32(1)
        elif np.all(nonzero == nonzero[0]):
            s = nonzero[0]
        else:
            s = max(np.float32(a.astype(np.float64).sum() / a.size), SCALE_EPSILON)
        values.append(np.clip(np.rint(g / np.float32(s)), -1, 1))
        scales.append(np.float32(s))
    return (np.stack(values).reshape(w.shape).astype(np.float32),
            np.array(scales, dtype=np.float32))


def quantize_rows(x):
    """(int8-valued rows, per-row scale q) as mmfree.quantize_rows."""
    x = x.astype(np.float32)
    q = np.float32(127) / np.maximum(np.abs(x).max(axis=1), SCALE_EPSILON)
    q = q.astype(np.float32)
    return np.clip(np.rint(x * q[:, None]), -128, 127), q


class TernaryLinear(torch.nn.Module):
    """nn.Linear as mmfree-matmul-to-ternary rewrites it: ternary weights
    with their scale, int8 rows (or f32 rows), exact integer sums, then
    float(acc) * scale[n] / q[m] and the bias."""

    def __init__(self, linear, activations="int8", per_channel=False):
        super().__init__()
        self.values, self.scales = ternarize(linear.weight.detach().numpy(),
                                             per_channel)
        self.bias = linear.bias
        self.int8 = activations == "int8"

    def forward(self, x):
        rows = x.detach().numpy().reshape(-1, x.shape[-1])
        if self.int8:
            xq, q = quantize_rows(rows)
            acc = (xq.astype(np.float64) @ self.values.T.astype(np.float64))
            y = (acc.astype(np.float32) * self.scales[None, :]) / q[:, None]
        else:
            y = (rows @ self.values.T).astype(np.float32) * self.scales[None, :]
        y = torch.from_numpy(y.astype(np.float32)).reshape(*x.shape[:-1], -1)
        return y + self.bias if self.bias is not None else y


def ternary_reference(weight, bias, **options):
    """TernaryLinear of an explicit N x K weight and bias."""
    linear = torch.nn.Linear(weight.shape[1], weight.shape[0],
                             bias=bias is not None)
    with torch.no_grad():
        linear.weight.copy_(weight)
        if bias is not None:
            linear.bias.copy_(bias)
    return TernaryLinear(linear, **options)


def with_ternary_linears(model, **options):
    """A copy of `model` whose nn.Linear layers are TernaryLinear."""
    return _replace_linears(model, lambda l: TernaryLinear(l, **options))


def lmul_f32(x, y):
    """numerics::lmulBits for f32 with all 23 mantissa bits, elementwise on
    float32 arrays (zeros and subnormals flush, exponents saturate)."""
    xb = np.asarray(x, np.float32).view(np.uint32).astype(np.int64)
    yb = np.asarray(y, np.float32).view(np.uint32).astype(np.int64)
    sign = (xb ^ yb) & 0x80000000
    mx, my = xb & 0x7FFFFFFF, yb & 0x7FFFFFFF
    zero = ((mx >> 23) == 0) | ((my >> 23) == 0)
    s = mx + my - (127 << 23) + (1 << 19)
    s = np.where(s < (1 << 23), 0, np.where(s > 0x7F7FFFFF, 0x7F800000, s))
    s = np.where(zero, 0, s)
    return (sign | s).astype(np.uint32).view(np.float32)


def lmul_matmul(a, b_t, init=None):
    """mmfree.lmul_matmul: rows of `a` (M x K) times `b_t` (N x K) with
    L-Mul products summed in f32 in increasing k, onto `init`."""
    m, k = a.shape
    acc = np.zeros((m, b_t.shape[0]), np.float32) if init is None else \
        init.astype(np.float32).copy()
    for i in range(k):
        acc += lmul_f32(a[:, i:i + 1], b_t[None, :, i])
    return acc


class LMulLinear(torch.nn.Module):
    """nn.Linear as mmfree-matmul-to-lmul rewrites it (f32, all bits)."""

    def __init__(self, linear):
        super().__init__()
        self.weight = linear.weight.detach().numpy().astype(np.float32)
        self.bias = linear.bias

    def forward(self, x):
        rows = x.detach().numpy().reshape(-1, x.shape[-1]).astype(np.float32)
        y = torch.from_numpy(lmul_matmul(rows, self.weight))
        y = y.reshape(*x.shape[:-1], -1)
        return y + self.bias if self.bias is not None else y


def with_lmul_linears(model):
    """A copy of `model` whose nn.Linear layers are LMulLinear."""
    return _replace_linears(model, LMulLinear)


def _replace_linears(model, make):
    if type(model) is torch.nn.Linear:
        return make(model)
    model = copy.deepcopy(model)
    for name, child in list(model.named_children()):
        setattr(model, name, _replace_linears(child, make))
    return model


def compare(name, got, want, atol, rtol=0.0):
    """Prints the error figures and fails (SystemExit) beyond atol + rtol *
    max|want|."""
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    err = np.abs(got - want).max() if got.size else 0.0
    scale = np.abs(want).max() if want.size else 0.0
    bound = atol + rtol * scale
    ok = got.shape == want.shape and err <= bound
    print(f"{'ok' if ok else 'FAIL'} {name}: max|diff| {err:.3g} "
          f"(bound {bound:.3g}, max|ref| {scale:.3g})")
    if not ok:
        raise SystemExit(1)
