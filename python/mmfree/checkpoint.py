"""Weights for a compiled model's arguments from the files people have:
safetensors (Hugging Face names and layouts: f32 / bf16 / f16 tensors,
transformers' packed ternary BitLinear with its weight_scale) and GGUF
(TQ2_0, TQ1_0, F16, F32 tensors, as llama.cpp writes them). Arguments marked
#mmfree.packed_ternary are packed into ternary_matmul's layout here, once.
Every problem is a CheckpointError naming the file and the tensor."""

import re
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .packing import pack_ternary

_DTYPES = {"f32": np.float32, "f16": np.float16, "i64": np.int64, "i32": np.int32, "i8": np.int8}


class CheckpointError(ValueError):
    pass


def _tensor_types(text):
    return [(tuple(int(d) for d in dims.split("x") if d),
             np.dtype(_DTYPES[elt]))
            for dims, elt in re.findall(r"tensor<((?:\d+x)*)(\w+)>", text)]


def signature(mlir_text, func="forward"):
    """([(shape, dtype)] of `func`'s arguments, [...] of its results) in
    MLIR text (static shapes)."""
    match = re.search(r"func\.func @" + re.escape(func) +
                      r"\((.*)\)\s*->\s*(\(.*?\)|tensor<[^>]*>)\s*(attributes|\{)",
                      mlir_text)
    if not match:
        raise ValueError(f"no function @{func} with tensor results")
    args = re.sub(r"\{mmfree\.packed_ternary = [^}]*\}", "", match.group(1))
    return _tensor_types(args), _tensor_types(match.group(2))


def _read_safetensors(path):
    """{name: float32 / integer NumPy array}; bf16 goes through torch."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file
    import torch
    try:
        tensors = load_file(str(path))
    except (SafetensorError, OSError, ValueError) as e:
        raise CheckpointError(f"{path}: not a readable safetensors file ({e})")
    out = {}
    for name, t in tensors.items():
        if t.dtype in (torch.bfloat16, torch.float16, torch.float64):
            t = t.float()
        out[name] = t.numpy()
    return out


@contextmanager
def gguf_writer(path, arch):
    """A gguf.GGUFWriter for `path`; the file is written when the block
    ends."""
    import gguf
    writer = gguf.GGUFWriter(str(path), arch)
    yield writer
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


class GgufTensor:
    """A GGUF tensor: its logical N x K shape, for ternary types the one
    scale of the whole tensor, its values decoded when asked for (a 2B
    model's codes as float would take 10 GB)."""

    def __init__(self, path, tensor):
        from gguf import GGMLQuantizationType as Q
        self.name, self.path = tensor.name, path
        self.shape = tuple(int(d) for d in reversed(tensor.shape))
        self.type = Q(tensor.tensor_type)
        # Where the bytes are: read when needed, not through the reader's
        # mapping, whose touched pages would count in this process's
        # memory until the whole load is done (1.1 GB for 2B4T).
        self._dtype, self._count = tensor.data.dtype, tensor.data.size
        self._offset = int(tensor.data_offset)
        self._scale = None
        if self.type not in (Q.TQ2_0, Q.TQ1_0, Q.I8, Q.F32, Q.F16):
            raise CheckpointError(f"{path}: tensor '{self.name}' has type "
                                  f"{self.type.name} (supported: TQ2_0, "
                                  "TQ1_0, I8, F16, F32)")

    @property
    def _data(self):
        """The tensor's bytes, read from the file (a fresh array)."""
        data = np.fromfile(self.path, dtype=self._dtype, count=self._count,
                           offset=self._offset)
        if data.size != self._count:
            raise CheckpointError(f"{self.path}: tensor '{self.name}' ends "
                                  "past the end of the file")
        return data

    @property
    def scale(self):
        """The one scale of a ternary tensor (1 for I8 values), else None."""
        from gguf import GGMLQuantizationType as Q
        if self.type == Q.I8:
            return 1.0
        if self.type not in (Q.TQ2_0, Q.TQ1_0) or self._scale is not None:
            return self._scale
        # d (f16) closes each 256-weight block.
        d = self._blocks()[:, -2:].copy().view(np.float16)
        if not np.all(d == d[0]):
            raise CheckpointError(
                f"{self.path}: tensor '{self.name}' has {len(np.unique(d))} "
                "different block scales; ternary layers need one scale")
        self._scale = float(d[0, 0])
        return self._scale

    def _blocks(self):
        from gguf import GGML_QUANT_SIZES
        return self._data.reshape(-1, GGML_QUANT_SIZES[self.type][1])

    @property
    def values(self):
        """The N x K values (int8, decoded on each access) of a ternary
        tensor, without its scale; None for F16 / F32."""
        from gguf import GGMLQuantizationType as Q
        from gguf import quants
        if self.type == Q.I8:
            return self._data.reshape(self.shape).astype(np.int8, copy=False)
        if self.type not in (Q.TQ2_0, Q.TQ1_0):
            return None
        blocks = self._blocks()
        # With d = 1 the dequantized blocks are the values.
        blocks[:, -2:] = np.array([1.0], dtype=np.float16).view(np.uint8)
        kind = quants.TQ2_0 if self.type == Q.TQ2_0 else quants.TQ1_0
        return kind.dequantize_blocks(blocks).astype(np.int8) \
            .reshape(self.shape)

    def dense(self, dtype=np.float32):
        """The values times the scale, in `dtype` (a fresh array, read from
        the file)."""
        if self.scale is not None:
            return (self.values * np.float32(self.scale)).astype(dtype)
        return self._data.reshape(self.shape).astype(dtype, copy=False)


def _read_gguf(path):
    from gguf import GGUFReader
    try:
        reader = GGUFReader(str(path))
    except Exception as e:  # the reader raises ValueError, struct errors...
        raise CheckpointError(f"{path}: not a readable GGUF file ({e})")
    return {t.name: GgufTensor(path, t) for t in reader.tensors}


class Checkpoint:
    """A safetensors or GGUF file's tensors, read once (by suffix)."""

    def __init__(self, path):
        self.path = Path(path)
        self.gguf = self.path.suffix == ".gguf"
        self.tensors = (_read_gguf if self.gguf else _read_safetensors)(
            self.path)


def load_arguments(path, names, arg_types, packed, first=0, rename=None,
                   derived=None, shared=None):
    """The arrays for arguments first..first+len(names)-1 of a compiled
    function (`arg_types` from `signature`, `packed` from
    Library.packed[func]) from the checkpoint at `path` (or a Checkpoint).
    `rename` maps an argument's name to the checkpoint's tensor name;
    `derived` holds the values of arguments no checkpoint stores (buffers
    computed from the config, as the rotary frequencies); arrays in `shared`
    (by tensor name and type, filled here) are reused, not read again.

    In a GGUF file a BitLinear's weight is a TQ2_0 / TQ1_0 tensor whose block
    scale d, times its `.scale` tensor if there is one (llama.cpp's BitNet
    layout), multiplies the weights; the layer's `weight_scale` argument
    (transformers divides by it) is then 1 / (d * scale)."""
    checkpoint = path if isinstance(path, Checkpoint) else Checkpoint(path)
    path, gguf, tensors = checkpoint.path, checkpoint.gguf, checkpoint.tensors
    rename = rename or (lambda name: name)
    derived = derived or {}
    masters = {}  # master weights ternarized, by name: (values, scale)

    def ternarized(name, weights):
        if name not in masters:
            masters[name] = _ternarized(path, name, weights)
        return masters[name]

    out = []
    for i, name in enumerate(names, start=first):
        shape, dtype = arg_types[i]
        stored = rename(name)
        if stored not in tensors and name in derived:
            out.append(np.asarray(derived[name], dtype=dtype).reshape(shape))
            continue
        # A weight scale the file does not hold comes from its weight.
        weight = rename(name[:-len("_scale")]) \
            if name.endswith(".weight_scale") and stored not in tensors \
            else None
        if weight is not None and gguf:
            out.append(np.full(shape, np.float32(1) /
                               _gguf_multiplier(path, tensors, weight),
                               dtype=np.float32))
            continue
        if weight is not None and weight in tensors and \
                _is_master(tensors[weight]):
            # A master-weight checkpoint: the scale its quantization uses.
            out.append(np.full(shape, ternarized(weight, tensors[weight])[1],
                               dtype=np.float32))
            continue
        if stored not in tensors:
            raise CheckpointError(f"{path}: no tensor '{stored}'")
        t = tensors[stored]
        if i in packed:
            if gguf:
                values = t.values  # decoded once
                if values is None:
                    values = t.dense()
                _check_shape(path, stored, values.shape,
                             (shape[0], values.shape[-1]))
                bad = ~((values == 0) | (values == 1) | (values == -1))
                if bad.any():
                    n, k = np.argwhere(bad)[0]
                    raise CheckpointError(f"{path}: '{stored}' [{n}, {k}] = "
                                          f"{values[n, k]:g} is not ternary")
                array = pack_ternary(values)
            elif _is_master(t) and t.shape[0] == \
                    packed[i].rows * len(packed[i].shifts):
                # Master weights (bf16 / f32, N x K): ternarized here as
                # BitNet's absmean quantization does.
                array = pack_ternary(ternarized(stored, t)[0])
            else:
                try:
                    array = packed[i].pack(t, stored)
                except ValueError as e:
                    raise CheckpointError(f"{path}: {e}")
            _check_shape(path, stored, array.shape, shape)
            out.append(array)
            continue
        key = (stored, np.dtype(dtype).str)
        if shared is not None and key in shared:
            _check_shape(path, stored, shared[key].shape, shape)
            out.append(shared[key])
            continue
        floating = np.issubdtype(dtype, np.floating)
        array = (t.dense(dtype if floating else np.float32) if gguf else t)
        _check_shape(path, stored, array.shape, shape)
        if array.dtype != dtype:
            if array.dtype == np.uint8 and dtype == np.int8:
                array = array.view(np.int8)
            elif np.issubdtype(array.dtype, np.floating) and \
                    np.issubdtype(dtype, np.floating):
                array = array.astype(dtype)
            else:
                raise CheckpointError(f"{path}: '{stored}' is {array.dtype}, "
                                      f"the model takes {dtype}")
        out.append(np.ascontiguousarray(array))
        if shared is not None:
            shared[key] = out[-1]
    return out


def _is_master(t):
    return np.issubdtype(np.asarray(t).dtype, np.floating) and t.ndim == 2


def master_ternary(weights):
    """BitNet b1.58's absmean quantization of master weights, as
    transformers' WeightQuant computes it (in f32, with torch): the ternary
    values (int8, N x K) and the scale 1 / max(mean |W|, 1e-5) that a
    BitLinear divides by (its weight_scale)."""
    import torch
    w = torch.from_numpy(np.ascontiguousarray(weights, dtype=np.float32))
    scale = 1.0 / w.abs().mean().clamp_(min=1e-5)
    values = (w * scale).round().clamp(-1, 1)
    return values.to(torch.int8).numpy(), np.float32(scale.item())


def _ternarized(path, name, weights):
    if not np.isfinite(weights).all():
        n, k = np.argwhere(~np.isfinite(weights))[0]
        raise CheckpointError(f"{path}: master weight '{name}' [{n}, {k}] "
                              f"is {weights[n, k]}")
    return master_ternary(weights)


def _gguf_multiplier(path, tensors, weight):
    t = tensors.get(weight)
    if t is None or t.scale is None:
        raise CheckpointError(f"{path}: no ternary tensor '{weight}' to take "
                              "its scale from")
    scale = np.float32(t.scale)
    extra = tensors.get(weight[:-len(".weight")] + ".scale")
    if extra is not None:
        scale *= np.float32(extra.dense().reshape(-1)[0])
    return scale


def _check_shape(path, name, got, want):
    if tuple(got) != tuple(want):
        raise CheckpointError(f"{path}: '{name}' has shape {tuple(got)}, "
                              f"the model takes {tuple(want)}")
