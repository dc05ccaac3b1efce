"""Weights packed at load time for functions rewritten with
`mmfree-matmul-to-ternary=packed-arguments`: the arguments marked
`#mmfree.packed_ternary` take ternary_matmul's 2-bit layout instead of the
model's own packed codes. Mirrors numerics::unpackTernaryFields and
numerics::packTernary."""

import re

import numpy as np

BLOCK_WEIGHTS, BLOCK_BYTES = 64, 16

_ARG = re.compile(
    r"%arg(\d+): tensor<[^>]*> \{mmfree\.packed_ternary = "
    r"#mmfree\.packed_ternary<rows = (\d+), shifts = \[([^\]]*)\], "
    r"values = \[([^\]]*)\]>\}")


class PackedTernary:
    """W[s * rows + r][k] = values[(p[r][k] >> shifts[s]) & 3]."""

    def __init__(self, rows, shifts, values):
        self.rows, self.shifts = rows, list(shifts)
        self.values = np.asarray(values, dtype=np.float32)

    def unpack(self, fields, name="weights"):
        """The N x K ternary values (int8) of the model's packed `fields`;
        ValueError naming the first code that is not -1, 0 or +1."""
        fields = np.asarray(fields).view(np.uint8)
        if fields.ndim != 2 or fields.shape[0] != self.rows:
            raise ValueError(f"{name}: expected {self.rows} x K packed codes, "
                             f"got shape {fields.shape}")
        codes = np.concatenate([(fields >> s) & 3 for s in self.shifts])
        values = self.values[codes]
        bad = ~np.isin(values, (-1, 0, 1))
        if bad.any():
            n, k = np.argwhere(bad)[0]
            raise ValueError(f"{name}: weight [{n}, {k}] has code "
                             f"{codes[n, k]} = {values[n, k]:g}, not ternary")
        return values.astype(np.int8)

    def pack(self, fields, name="weights"):
        """ternary_matmul's layout of the model's packed `fields`, straight
        from the 2-bit codes (a table from their code to ours)."""
        fields = np.asarray(fields).view(np.uint8)
        if fields.ndim != 2 or fields.shape[0] != self.rows:
            raise ValueError(f"{name}: expected {self.rows} x K packed codes, "
                             f"got shape {fields.shape}")
        ours = np.array([_CODES.get(float(v), 255) for v in self.values],
                        dtype=np.uint8)
        codes = np.concatenate([ours[(fields >> s) & 3] for s in self.shifts])
        if (codes == 255).any():
            self.unpack(fields, name)  # raises, naming the weight
        return _pack_codes(codes)


# ternary_matmul's 2-bit codes: 0 -> 0b00, +1 -> 0b01, -1 -> 0b10.
_CODES = {0.0: 0, 1.0: 1, -1.0: 2}


def _pack_codes(codes):
    """N x K codes -> N x ceil(K/64) x 16 bytes (int8): byte b of block t
    holds weight 64t + 16j + b in bits [2j, 2j + 2)."""
    n, k = codes.shape
    blocks = -(-k // BLOCK_WEIGHTS)
    if k != blocks * BLOCK_WEIGHTS:
        padded = np.zeros((n, blocks * BLOCK_WEIGHTS), dtype=np.uint8)
        padded[:, :k] = codes
        codes = padded
    grouped = codes.reshape(n, blocks, 4, BLOCK_BYTES)
    packed = grouped[:, :, 0, :] | (grouped[:, :, 1, :] << 2) | \
        (grouped[:, :, 2, :] << 4) | (grouped[:, :, 3, :] << 6)
    return np.ascontiguousarray(packed).view(np.int8)


def pack_ternary(values):
    """N x K values in {-1, 0, 1} -> N x ceil(K/64) x 16 bytes (int8)."""
    # In bytes: 1 -> 1, -1 (0xff) -> 3 -> 2, 0 -> 0.
    codes = np.asarray(values).astype(np.int8).view(np.uint8) & 3
    return _pack_codes(codes ^ (codes >> 1))


def unpack_transformers(packed):
    """transformers' BitLinear codes (4 row blocks per byte, code c means
    c - 1) as N x K float32 values, as its unpack_weights gives them."""
    fields = np.asarray(packed).view(np.uint8)
    return np.concatenate([(fields >> (2 * i)) & 3 for i in range(4)]) \
        .astype(np.float32) - 1


def packed_arguments(mlir_text, func="forward"):
    """{argument index: PackedTernary} of `func` in rewritten MLIR text."""
    match = re.search(r"func\.func @" + re.escape(func) + r"\((.*)\)",
                      mlir_text)
    if not match:
        raise ValueError(f"no function @{func}")
    return {int(i): PackedTernary(int(rows),
                                  [int(s) for s in shifts.split(",")],
                                  [float(v) for v in values.split(",")])
            for i, rows, shifts, values in _ARG.findall(match.group(1))}
