"""transformers' own BitNet b1.58 (BitNetForCausalLM, the 2B4T architecture)
as one decode step per call for export: its projections are transformers'
BitLinear for pre-quantized checkpoints (2-bit codes unpacked in forward),
the KV cache is passed in and out as fixed-size tensors, written at the
step's position, attention masked beyond it."""

import numpy as np
import torch
from transformers import AttentionInterface, BitNetConfig, BitNetForCausalLM
from transformers.integrations.bitnet import BitLinear, pack_weights

from .runner import stored_as, untouched_zeros


def config(name="tiny", **overrides):
    """Published shapes (2B4T, bitnet_b1_58-large) and small test ones."""
    sizes = {
        "tiny": dict(vocab_size=512, hidden_size=128, intermediate_size=320,
                     num_hidden_layers=2, num_attention_heads=4,
                     num_key_value_heads=2),
        "2b4t": dict(vocab_size=128256, hidden_size=2560,
                     intermediate_size=6912, num_hidden_layers=30,
                     num_attention_heads=20, num_key_value_heads=5,
                     tie_word_embeddings=True),
        "large": dict(vocab_size=32002, hidden_size=1536,
                      intermediate_size=4096, num_hidden_layers=24,
                      num_attention_heads=16, num_key_value_heads=16),
    }
    args = dict(sizes[name], max_position_embeddings=4096, bos_token_id=1,
                eos_token_id=2, attn_implementation="eager")
    args.update(overrides)
    return BitNetConfig(**args)


def packed_model(cfg, seed=0, random=True):
    """BitNetForCausalLM whose projections are packed BitLinears with random
    ternary weights and weight scales, norms near 1, a normal embedding and
    an f32 head. Built on the meta device first, so that a 2B model never
    holds its f32 projections. With `random=False` every weight is zero and
    every scale and norm one (untouched zero pages): a model to export
    whose weights come from a file."""
    gen = torch.Generator().manual_seed(seed)
    with torch.device("meta"):
        model = BitNetForCausalLM(cfg).eval()

    def replace(module):
        for name, child in module.named_children():
            if type(child) is torch.nn.Linear and name != "lm_head":
                n, k = child.out_features, child.in_features
                layer = BitLinear(k, n, bias=False, dtype=torch.float32)
                if random:
                    values = torch.randint(-1, 2, (n, k), generator=gen,
                                           dtype=torch.int8).float()
                    with torch.no_grad():
                        layer.weight.copy_(pack_weights(values))
                        layer.weight_scale.fill_(
                            float(1 + torch.rand(1, generator=gen)) * k ** 0.5)
                else:
                    layer.weight = untouched_zeros(layer.weight)
                setattr(module, name, layer)
            else:
                replace(child)

    replace(model)
    model.model.rotary_emb = type(model.model.rotary_emb)(cfg)
    with torch.no_grad():
        for module in model.modules():
            for name, p in module.named_parameters(recurse=False):
                if not random:
                    value = (torch.ones(p.shape) if p.ndim == 1 else
                             untouched_zeros(p, torch.float32))
                elif name.endswith("weight") and p.ndim == 1:  # norms
                    value = 1 + 0.1 * torch.randn(p.shape, generator=gen)
                else:  # embedding, head
                    value = torch.randn(p.shape, generator=gen) / (
                        1 if isinstance(module, torch.nn.Embedding)
                        else p.shape[1] ** 0.5)
                value = torch.nn.Parameter(value)
                # Its narrow copies (runner.stored_as) stay untouched too.
                value.untouched = not random and p.ndim > 1
                setattr(module, name, value)
    if cfg.tie_word_embeddings:
        model.lm_head.weight = model.model.embed_tokens.weight
    return model.eval()


class _Cache:
    """transformers' cache interface over fixed-size tensors: `update`
    writes the step's keys and values at `position` (a select, so the export
    stays elementwise) and returns the whole cache to attend over."""

    def __init__(self, keys, values, position):
        self.keys, self.values = list(keys.unbind(0)), list(values.unbind(0))
        slots = torch.arange(keys.shape[3])
        self.at = (slots == position)[None, None, :, None]

    def update(self, key, value, layer, *args, **kwargs):
        self.keys[layer] = torch.where(self.at, key, self.keys[layer])
        self.values[layer] = torch.where(self.at, value, self.values[layer])
        return self.keys[layer], self.values[layer]


class _RowCache:
    """transformers' cache interface over one layer's slot-major cache
    [1, length, kv heads, dim] that it does not write: `update` keeps the
    step's key and value (for the caller to store) and returns the cache
    with them at `position` (a select), still slot-major, for
    _grouped_attention."""

    def __init__(self, keys, values, position):
        slots = torch.arange(keys.shape[1])
        self.at = (slots == position)[None, :, None, None]
        self.keys, self.values = keys, values

    def update(self, key, value, *args, **kwargs):
        self.key, self.value = key.transpose(1, 2), value.transpose(1, 2)
        return (torch.where(self.at, self.key, self.keys),
                torch.where(self.at, self.value, self.values))


class _BlockRowCache:
    """_RowCache for a block of `block` tokens at positions `position` ..
    `position + block - 1`: the cache returned holds the block's keys and
    values at their slots (a gather and a select)."""

    def __init__(self, keys, values, position, block):
        offset = torch.arange(keys.shape[1]) - position
        self.inside = ((offset >= 0) & (offset < block))[None, :, None, None]
        self.index = offset.clamp(0, block - 1)
        self.keys, self.values = keys, values

    def update(self, key, value, *args, **kwargs):
        self.key, self.value = key.transpose(1, 2), value.transpose(1, 2)
        return (torch.where(self.inside, self.key[:, self.index], self.keys),
                torch.where(self.inside, self.value[:, self.index],
                            self.values))


def _grouped_attention(module, query, key, value, attention_mask, scaling,
                       dropout=0.0, **kwargs):
    """transformers' eager attention for one query token on a slot-major
    cache, without repeating the KV heads: the query's heads are grouped
    by KV head (head h reads KV head h // group, as repeat_kv does), so the
    products are batched over KV heads and the cache is permuted once
    instead of being copied per query head."""
    _, heads, tokens, dim = query.shape
    kv = key.shape[2]
    if tokens > 1:
        return _grouped_block_attention(query, key, value, attention_mask,
                                        scaling)
    q = query.reshape(1, kv, heads // kv, dim)
    scores = torch.matmul(q, key.permute(0, 2, 3, 1)) * scaling
    if attention_mask is not None:
        scores = scores + attention_mask
    weights = torch.nn.functional.softmax(scores, dim=-1, dtype=torch.float32)
    out = torch.matmul(weights, value.permute(0, 2, 1, 3))
    return out.reshape(1, heads, 1, dim).transpose(1, 2), weights


def _grouped_block_attention(query, key, value, attention_mask, scaling):
    """_grouped_attention for a block of query tokens [1, heads, T, dim]:
    rows (query head of a KV head, token), the mask [1, 1, T, slots] per
    token."""
    _, heads, tokens, dim = query.shape
    kv = key.shape[2]
    group = heads // kv
    q = query.reshape(1, kv, group * tokens, dim)
    scores = torch.matmul(q, key.permute(0, 2, 3, 1)) * scaling
    scores = (scores.reshape(1, kv, group, tokens, -1)
              + attention_mask[:, :, None])
    weights = torch.nn.functional.softmax(scores, dim=-1, dtype=torch.float32)
    out = torch.matmul(weights.reshape(1, kv, group * tokens, -1),
                       value.permute(0, 2, 1, 3))
    return out.reshape(1, heads, tokens, dim).transpose(1, 2), weights


AttentionInterface.register("mmfree_grouped", _grouped_attention)


# Cache lengths the layer is compiled for (up to the runner's maximum).
LENGTHS = (64, 256, 1024, 4096)


def _mask(max_len, position):
    slots = torch.arange(max_len)
    return torch.where(slots <= position, 0.0,
                       torch.finfo(torch.float32).min)[None, None, None, :]


class _Embed(torch.nn.Module):
    def __init__(self, model, dtype):
        super().__init__()
        self.embed_tokens = stored_as(model.model.embed_tokens, dtype)

    def forward(self, tokens):
        return self.embed_tokens(tokens[None]).float()


class _Layer(torch.nn.Module):
    """One decoder layer with its rotary embedding: (hidden, position, keys,
    values) -> (hidden, key, value). The cache is the first `length` slots
    of the runner's, slot-major [1, length, kv heads, dim] (a contiguous
    prefix); the step's key and value [1, 1, kv heads, dim] come back for
    the runner to store at `position`: no copy of the cache leaves the
    call, and attention costs what the `length` slots cost."""

    def __init__(self, model, length, layer=0):
        super().__init__()
        self.layer, self.length = model.model.layers[layer], length
        self.rotary = model.model.rotary_emb

    def _view(self, position, keys, values):
        """The step's cache view, positions [1, tokens] and mask."""
        return (_RowCache(keys, values, position), position[None],
                _mask(self.length, position))

    def forward(self, hidden, position, keys, values):
        cache, positions, mask = self._view(position, keys, values)
        config = self.layer.self_attn.config
        eager, config._attn_implementation = \
            config._attn_implementation, "mmfree_grouped"
        try:
            hidden = self.layer(
                hidden, attention_mask=mask,
                position_embeddings=self.rotary(hidden, positions),
                position_ids=positions, cache=cache)
        finally:
            config._attn_implementation = eager
        return hidden, cache.key, cache.value


class _BlockLayer(_Layer):
    """_Layer for `block` prompt tokens at once (hidden [1, block, size],
    positions `position` ..): their keys and values [1, block, kv heads,
    dim] come back for the runner to store. The block's rows go through
    the BitLinears together (M = block: the AMX kernel at 32)."""

    def __init__(self, model, length, block, layer=0):
        super().__init__(model, length, layer)
        self.block = block

    def _view(self, position, keys, values):
        positions = (position + torch.arange(self.block))[None]
        slots = torch.arange(self.length)
        mask = torch.where(slots[None, :] <= positions[0][:, None], 0.0,
                           torch.finfo(torch.float32).min)[None, None]
        return (_BlockRowCache(keys, values, position, self.block), positions,
                mask)


class _Head(torch.nn.Module):
    def __init__(self, model, dtype):
        super().__init__()
        self.norm = model.model.norm
        self.lm_head = stored_as(model.lm_head, dtype)

    def forward(self, hidden):
        return torch.nn.functional.linear(
            self.norm(hidden), self.lm_head.weight.float())[:, -1]


class Plan:
    """BitNet as runner.LayeredLM runs it: embedding, one decoder layer
    (called per layer), head; argument names mapped to transformers'. The
    embedding and head are kept in `table_dtype` (torch.float16 halves the
    bytes the head streams per token)."""

    def __init__(self, model, max_len, table_dtype=torch.float32):
        self.model, self.max_len = model, max_len
        self.table_dtype = table_dtype
        cfg = model.config
        self.layers = cfg.num_hidden_layers
        self.slot_shape = (cfg.num_key_value_heads,
                           cfg.hidden_size // cfg.num_attention_heads)
        # The layer is compiled per cache length; a step uses the shortest
        # that holds its position.
        self.lengths = sorted({min(n, max_len) for n in LENGTHS} | {max_len})

    def parts(self):
        """(module, example inputs) of the embedding, the layer for the
        shortest cache length, the head."""
        return [(_Embed(self.model, self.table_dtype), (torch.tensor([1]),)),
                self.layer_part(self.lengths[0]),
                (_Head(self.model, self.table_dtype), (self._hidden(),))]

    def _hidden(self):
        return torch.zeros(1, 1, self.model.config.hidden_size)

    def layer_part(self, length, layer=0):
        """(module, example inputs) of layer `layer` (its weights are the
        arguments, or constants for a per-layer method) for `length`
        cache slots."""
        # Distinct example tensors: torch.export merges an input passed twice.
        shape = (1, length, *self.slot_shape)
        return (_Layer(self.model, length, layer),
                (self._hidden(), torch.tensor([0]), torch.zeros(shape),
                 torch.zeros(shape)))

    def block_parts(self, length, block):
        """(module, example inputs) of the embedding of `block` tokens and
        of the layer taking them at once, for `length` cache slots."""
        shape = (1, length, *self.slot_shape)
        return [(_Embed(self.model, self.table_dtype),
                 (torch.ones(block, dtype=torch.int64),)),
                (_BlockLayer(self.model, length, block),
                 (torch.zeros(1, block, self.model.config.hidden_size),
                  torch.tensor([0]), torch.zeros(shape), torch.zeros(shape)))]

    def layer_module(self, layer):
        return self.model.model.layers[layer]

    def tables(self):
        """The embedding and head weights (held in `table_dtype`)."""
        return [self.model.model.embed_tokens.weight, self.model.lm_head.weight]

    def run_reference(self, tokens):
        """transformers' forward over `tokens` (one sequence)."""
        self.model(input_ids=torch.tensor([tokens]))

    def reference(self):
        """(step, state) of transformers' own decoding (its DynamicCache),
        for runner.decode."""
        from transformers import DynamicCache

        def step(tokens, state):
            position, cache = state
            with torch.no_grad():
                out = self.model(input_ids=torch.from_numpy(tokens)[None],
                                 position_ids=torch.tensor([[position]]),
                                 past_key_values=cache, use_cache=True)
            return out.logits[:, -1].numpy(), (position + 1, cache)
        return step, (0, DynamicCache(config=self.model.config))

    def length_for(self, position):
        return next(n for n in self.lengths if n > position)

    def position(self, shared):
        """The position the next step's first token takes."""
        return int(shared[0][0])

    def call_layer(self, call, x, shared, own, block=1):
        """One layer's step on `block` tokens (the block form for more than
        one): `call(length, inputs)` runs the layer compiled for `length`
        slots; the step's keys and values are stored in the cache (`own`,
        slot-major [max len, kv heads, dim]) in place."""
        (position,) = shared
        at = int(position[0])
        if at + block > self.max_len:
            raise ValueError(f"position {at + block - 1} beyond the cache of "
                             f"{self.max_len}")
        length = self.length_for(at + block - 1)
        keys, values = own
        x, key, value = call(length, [x, position, keys[None, :length],
                                      values[None, :length]])
        keys[at:at + block], values[at:at + block] = key[0], value[0]
        return x, own

    def name(self, part, arg, layer=0):
        """The transformers name of a part's argument (for layer `layer`)."""
        if part == "embed":
            return "model." + arg
        if part == "head":
            if arg == "lm_head.weight" and self.model.config.tie_word_embeddings:
                return "model.embed_tokens.weight"  # tied checkpoints omit it
            return arg if arg.startswith("lm_head") else "model." + arg
        if arg.startswith("layer."):
            return f"model.layers.{layer}." + arg[len("layer."):]
        return "model.rotary_emb." + arg[len("rotary."):]

    def initial_state(self):
        shape = (self.max_len, *self.slot_shape)
        return (np.array([0]),), [
            (np.zeros(shape, dtype=np.float32),
             np.zeros(shape, dtype=np.float32))
            for _ in range(self.layers)]

    @staticmethod
    def next_shared(shared, steps=1):
        return (shared[0] + steps,)


class DecodeStep(torch.nn.Module):
    """(tokens [1], position [1], keys, values [layers, 1, kv heads, max len,
    head dim]) -> (logits [1, vocab], keys, values)."""

    def __init__(self, model, max_len):
        super().__init__()
        self.model, self.max_len = model, max_len

    def cache_shape(self):
        cfg = self.model.config
        head_dim = cfg.hidden_size // cfg.num_attention_heads
        return (cfg.num_hidden_layers, 1, cfg.num_key_value_heads,
                self.max_len, head_dim)

    def empty_cache(self):
        return torch.zeros(self.cache_shape()), torch.zeros(self.cache_shape())

    def forward(self, tokens, position, keys, values):
        inner = self.model.model
        cache = _Cache(keys, values, position)
        mask = _mask(self.max_len, position)
        hidden = inner.embed_tokens(tokens[None])
        positions = position[None]
        rope = inner.rotary_emb(hidden, position_ids=positions)
        for layer in inner.layers:
            hidden = layer(hidden, attention_mask=mask,
                           position_embeddings=rope, position_ids=positions,
                           cache=cache)
        logits = self.model.lm_head(inner.norm(hidden))[:, -1]
        return logits, torch.stack(cache.keys), torch.stack(cache.values)


_GGUF_NAMES = {
    "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v", "self_attn.o_proj": "attn_output",
    "self_attn.attn_sub_norm": "attn_sub_norm",
    "input_layernorm": "attn_norm", "post_attention_layernorm": "ffn_norm",
    "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down", "mlp.ffn_sub_norm": "ffn_sub_norm",
}


def hf_name(name):
    """A DecodeStep argument's name in a transformers checkpoint."""
    return name.removeprefix("model.")


def gguf_name(name):
    """A transformers BitNet tensor name in llama.cpp's BitNet GGUF naming
    (token_embd, blk.N.attn_q, ..., output_norm, output)."""
    if name.startswith("model.layers."):
        layer, rest = name[len("model.layers."):].split(".", 1)
        module, leaf = rest.rsplit(".", 1)
        return f"blk.{layer}.{_GGUF_NAMES.get(module, module)}.{leaf}"
    return {"model.embed_tokens.weight": "token_embd.weight",
            "model.norm.weight": "output_norm.weight",
            "lm_head.weight": "output.weight"}.get(name, name)


def write_gguf(model, path, qtype=None):
    """A GGUF file of `model` in llama.cpp's BitNet names and metadata:
    projections as ternary blocks (TQ2_0 by default, d = 1; I8 values when
    K is not a multiple of 256) with their multiplier in a `.scale` tensor,
    F16 embedding and head, F32 norms; no tokenizer (model "none": llama.cpp
    then takes token ids and `vocab_size` dummy tokens)."""
    import gguf

    from .checkpoint import gguf_writer
    from .packing import unpack_transformers
    qtype = qtype or gguf.GGMLQuantizationType.TQ2_0
    cfg = model.config
    with gguf_writer(path, "bitnet") as writer:
        writer.add_context_length(cfg.max_position_embeddings)
        writer.add_embedding_length(cfg.hidden_size)
        writer.add_feed_forward_length(cfg.intermediate_size)
        writer.add_block_count(cfg.num_hidden_layers)
        writer.add_head_count(cfg.num_attention_heads)
        writer.add_head_count_kv(cfg.num_key_value_heads)
        writer.add_layer_norm_rms_eps(cfg.rms_norm_eps)
        writer.add_rope_freq_base(cfg.rope_parameters["rope_theta"])
        writer.add_vocab_size(cfg.vocab_size)
        writer.add_tokenizer_model("none")
        state = model.state_dict()
        for name, t in state.items():
            if name.endswith(".weight_scale") or (
                    name == "lm_head.weight" and cfg.tie_word_embeddings):
                continue
            stored = gguf_name(name)
            if name.endswith(".weight") and name + "_scale" in state:
                values = unpack_transformers(t.numpy())
                if values.shape[1] % 256:  # TQ blocks hold 256 weights
                    writer.add_tensor(stored, values.astype(np.int8))
                else:
                    writer.add_tensor(stored,
                                      gguf.quants.quantize(values, qtype),
                                      raw_dtype=qtype)
                writer.add_tensor(stored.replace(".weight", ".scale"),
                                  np.float32(1) /
                                  state[name + "_scale"].numpy())
            elif name in ("model.embed_tokens.weight", "lm_head.weight"):
                writer.add_tensor(stored, t.numpy().astype(np.float16))
            else:
                writer.add_tensor(stored, t.numpy())


def round_as_gguf(model):
    """Rounds `model`'s values to what write_gguf stores: the embedding and
    head in f16, each projection's multiplier as 1 / scale in f32."""
    with torch.no_grad():
        for p in {model.model.embed_tokens.weight, model.lm_head.weight}:
            p.copy_(p.half().float())
        for m in model.modules():
            if hasattr(m, "weight_scale"):
                s = np.float32(1) / np.float32(m.weight_scale.item())
                m.weight_scale.fill_(float(np.float32(1) / s))
    return model


def config_from_gguf(path, max_len=4096, **overrides):
    """The BitNetConfig a BitNet GGUF file's metadata describes."""
    from gguf import GGUFReader

    from .checkpoint import CheckpointError
    reader = GGUFReader(str(path))

    def field(key, kind=int):
        f = reader.fields.get(key)
        if f is None:
            raise CheckpointError(f"{path}: no metadata '{key}'")
        value = f.parts[f.data[0]][0]
        # GGUF stores f32: the shortest decimal gives back 1e-05, not
        # 9.99999975e-06.
        return float(str(np.float32(value))) if kind is float else int(value)

    arch = bytes(reader.fields["general.architecture"].parts[-1]).decode()
    if arch != "bitnet":
        raise CheckpointError(f"{path}: architecture '{arch}', not 'bitnet'")
    names = {t.name for t in reader.tensors}
    return config(
        "tiny", vocab_size=field("bitnet.vocab_size"),
        hidden_size=field("bitnet.embedding_length"),
        intermediate_size=field("bitnet.feed_forward_length"),
        num_hidden_layers=field("bitnet.block_count"),
        num_attention_heads=field("bitnet.attention.head_count"),
        num_key_value_heads=field("bitnet.attention.head_count_kv"),
        rms_norm_eps=field("bitnet.attention.layer_norm_rms_epsilon", float),
        rope_theta=field("bitnet.rope.freq_base", float),
        tie_word_embeddings="output.weight" not in names,
        max_position_embeddings=max_len, **overrides)
