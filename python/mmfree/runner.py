"""A language model compiled whole by mmfree, one decode step per call:
exported from PyTorch with its weights as arguments, rewritten (ternary
layers on packed arguments), compiled ahead of time, its weights loaded from
a checkpoint, decoded greedily."""

import time

import numpy as np

from .checkpoint import Checkpoint, load_arguments, signature
from .compiler import compile_module
from .frontend import export_linalg, export_with_parameters

TERNARY = ["--mmfree-matmul-to-ternary=packed-arguments only-ternary-weights"]
# Results as caller-allocated arguments: no malloc, copy or free per call
# (half the runner's Python time per call).
PIPELINE = "mmfree-cpu-pipeline=target=host out-params"


_HUGE_PAGE = 2 << 20


def in_huge_pages(lists):
    """Moves the arrays of `lists` (lists of arrays, updated in place) into
    one anonymous mapping advised for 2 MB pages (transparent huge pages in
    madvise mode), each 64-byte aligned; an array in several places is
    copied once, and each original is released as soon as its last place
    holds the copy (the load holds the weights about once, not twice).
    Streaming weights through 4 KB pages costs a TLB miss (a nested page
    walk on a VM) every 64 lines."""
    import mmap
    sizes = {id(a): -(-a.nbytes // 64) * 64 for ws in lists for a in ws}
    if not sum(sizes.values()):
        return
    area = mmap.mmap(-1, sum(sizes.values()) + _HUGE_PAGE)
    if hasattr(mmap, "MADV_HUGEPAGE"):
        area.madvise(mmap.MADV_HUGEPAGE)
    raw = np.frombuffer(area, dtype=np.uint8)
    at = -raw.ctypes.data % _HUGE_PAGE
    # By the id of an original: every original lives until its places are
    # replaced, so no id is reused while it is looked up.
    copies = {}
    for ws in lists:
        for j, a in enumerate(ws):
            copy = copies.get(id(a))
            if copy is None:
                copy = raw[at:at + a.nbytes].view(a.dtype).reshape(a.shape)
                copy[...] = a
                copies[id(a)] = copy
                at += sizes[id(a)]
            ws[j] = copy


def untouched_zeros(like, dtype=None):
    """Zeros shaped as `like` in calloc'd memory: fresh pages that stay off
    the process's resident set until written (torch.zeros writes them)."""
    import torch
    dtype = dtype or like.dtype
    return torch.from_numpy(np.zeros(tuple(like.shape),
                                     dtype=torch.empty(0, dtype=dtype)
                                     .numpy().dtype))


def stored_as(module, dtype):
    """A copy of `module` (an embedding or the output head) whose weight is
    kept in `dtype`: f16 halves the bytes the head streams per token, and
    holds a bf16 or f16 checkpoint's values exactly. Its user widens what
    it reads (rows gathered, or the head's matmul, into which mmfree folds
    the widening)."""
    import copy
    import torch
    narrow = copy.copy(module)
    narrow._parameters = dict(module._parameters)
    weight = module.weight
    # A model exported for a weights file: its zeros stay untouched (a 2B4T
    # head in f16 is 657 MB).
    narrow.weight = torch.nn.Parameter(
        untouched_zeros(weight, dtype) if getattr(weight, "untouched", False)
        else weight.detach().to(dtype), requires_grad=False)
    return narrow


class CompiledLM:
    """`step(tokens, *state) -> (logits, *state)` of `model`, compiled.
    `example` are the step's non-weight arguments (token ids, state).
    `name` names the shared object; `debug` gives it line tables of the
    PyTorch source (for profiles)."""

    def __init__(self, model, example, rewrite=TERNARY,
                 pipeline=PIPELINE, name="module",
                 debug=False, constants=False):
        # Buffers no checkpoint holds (computed from the config).
        self.derived = {
            f"{prefix}.{b}".lstrip("."): getattr(sub, b).detach().numpy()
            for prefix, sub in model.named_modules()
            for b in sub._non_persistent_buffers_set}
        start = time.perf_counter()
        if constants:  # the weights are IR constants, not arguments
            text, self.names = export_linalg(model, *example), []
        else:
            text, self.names = export_with_parameters(model, *example,
                                                      locations=debug)
        self.export_s = time.perf_counter() - start
        start = time.perf_counter()
        self.lib, self.remarks = compile_module(text, rewrite, pipeline,
                                                name=name, debug=debug)
        self.compile_s = time.perf_counter() - start
        self.args, self.results = signature(self.lib.text)
        if len(self.args) != len(example) + len(self.names):
            raise ValueError(
                f"the compiled function takes {len(self.args)} arguments, not "
                f"the {len(example) + len(self.names)} inputs and weights "
                "exported (one packed code tensor unpacked in several ways?)")
        self.packed = self.lib.packed["forward"]
        self.inputs = len(example)
        self.weights = None
        self._bound = {}

    @property
    def ternary_layers(self):
        return len(self.packed)

    def load(self, path, rename=None):
        """Loads (and packs) the weights from a safetensors or GGUF file (or
        a Checkpoint); `rename` maps argument names to the file's names."""
        start = time.perf_counter()
        self.weights = self.arguments(path, rename)
        self.load_s = time.perf_counter() - start

    def arguments(self, source, rename=None, shared=None):
        """The weight arguments from a checkpoint, or from a PyTorch state
        dict (transformers' layouts) keyed by the renamed names. Arrays in
        `shared` (by tensor name and type) are reused: a head tied to the
        embedding is held once."""
        if not isinstance(source, dict):
            return load_arguments(source, self.names, self.args, self.packed,
                                  first=self.inputs, rename=rename,
                                  derived=self.derived, shared=shared)
        rename = rename or (lambda name: name)
        shared = {} if shared is None else shared
        weights = []
        for i, name in enumerate(self.names, start=self.inputs):
            tensor = source.get(rename(name))
            if i in self.packed:
                weights.append(self.packed[i].pack(tensor.detach().numpy(),
                                                   name))
                continue
            dtype = self.args[i][1]
            key = (rename(name), dtype.str)
            if key not in shared:
                array = (tensor.detach().numpy() if tensor is not None
                         else self.derived[name])
                shared[key] = np.ascontiguousarray(array, dtype=dtype)
            weights.append(shared[key])
        return weights

    def load_state(self, state, rename=None):
        """Weights from a PyTorch state dict (transformers' layouts)."""
        self.weights = self.arguments(state, rename)

    def call(self, inputs, weights):
        # The weights' descriptors are made once per weight list (~20
        # arguments per layer, 30 layers per token).
        key = tuple(map(id, weights))
        bound = self._bound.get(key)
        if bound is None:
            bound = self._bound[key] = self.lib.bind(weights)
        return self.lib.call_results("forward", list(inputs), self.results,
                                     bound)

    def step(self, *inputs):
        return self.call(inputs, self.weights)

    def weight_bytes(self):
        return sum(w.nbytes for w in self.weights)


class LayeredLM:
    """A model compiled as its distinct blocks, as a runtime runs it: the
    embedding, one decoder layer (called once per layer with that layer's
    weights and state) and the head. Compile time does not grow with depth.
    `plan` (bitnet.Plan, matmulfree_lm.Plan) gives the three modules, their
    example inputs, the checkpoint name of each argument, the per-step
    inputs every layer shares (the position), the initial state, and how a
    layer's step reads and updates its state (`call_layer`). A layer whose
    form depends on the state (BitNet: the cache length it attends over) is
    compiled for each form the first time a step needs it."""

    def __init__(self, plan, rewrite=TERNARY,
                 pipeline=PIPELINE, debug=False, methods=None,
                 calibration_tokens=None, prefill_block=None):
        self.plan, self.rewrite, self.pipeline = plan, rewrite, pipeline
        self.debug = debug
        # `feed` takes the prompt in blocks of this many tokens where the
        # plan has a block form (BitNet): one call per layer and block.
        self.prefill_block = prefill_block
        self.block_forms = {}
        # Per-layer methods (methods.Method by layer index): those layers
        # are compiled with their weights as constants, from the PyTorch
        # model (which must hold them); MADDNESS learns from the rows
        # recorded while PyTorch runs `calibration_tokens`.
        self.methods = methods or {}
        self.calibration_tokens = calibration_tokens
        self.method_forms, self.calibration = {}, {}
        self.parts = [CompiledLM(module, example, rewrite, pipeline, name,
                                 debug)
                      for (module, example), name in
                      zip(plan.parts(),
                          ("embedding", self._layer_name(plan.lengths[0]),
                           "head"))]
        self.embed, self.layer, self.head = self.parts
        self.layer_forms = {plan.lengths[0]: self.layer}
        self.compile_s = sum(p.export_s + p.compile_s for p in self.parts)
        # Seconds spent in each part's calls (the split of decode time).
        self.seconds = {"embedding": 0.0, "layers": 0.0, "head": 0.0}
        self.remarks = "".join(p.remarks for p in self.parts)

    @staticmethod
    def _layer_name(length):
        return "layer" + (str(length) if length else "")

    def layer_form(self, length):
        """The layer compiled for `length` (compiled on first use; its
        weights are the same arrays)."""
        if length not in self.layer_forms:
            form = CompiledLM(*self.plan.layer_part(length), self.rewrite,
                              self.pipeline, self._layer_name(length),
                              self.debug)
            self.compile_s += form.export_s + form.compile_s
            self.layer_forms[length] = form
        return self.layer_forms[length]

    def method_form(self, length, layer):
        """Layer `layer` compiled with its method for `length` (on first
        use), its weights as constants."""
        from .methods import calibration_files, with_dense_projections
        if (length, layer) not in self.method_forms:
            method = self.methods[layer]
            if method.needs_calibration and layer not in self.calibration:
                self.calibration[layer] = calibration_files(
                    self.plan, layer, self.calibration_tokens)
            module, example = self.plan.layer_part(length, layer)
            form = CompiledLM(
                with_dense_projections(module), example,
                method.rewrite(self.calibration.get(layer, ())),
                method.pipeline(self.pipeline),
                f"layer{layer}-{method.name}-{length}", constants=True)
            form.weights = []
            self.compile_s += form.export_s + form.compile_s
            self.remarks += form.remarks
            self.method_forms[length, layer] = form
        return self.method_forms[length, layer]

    def method_summary(self, layer):
        """What layer `layer`'s method made of its contractions."""
        method = self.methods[layer]
        forms = [f for (_, i), f in self.method_forms.items() if i == layer]
        if not forms:
            return f"{method.name} (not compiled yet)"
        text, remarks = forms[0].lib.text, forms[0].remarks
        if method.name == "maddness":
            return (f"maddness, {text.count('mmfree.lut_matmul')} "
                    f"contractions as table lookups ({method.codebooks} "
                    f"codebooks, learned from "
                    f"{len(self.calibration_tokens)} tokens)")
        missed = remarks.count("kernel 'lookup' not taken")
        ternary = text.count("mmfree.ternary_matmul")
        return (f"lookup, {ternary - missed} of {ternary} ternary "
                "contractions on the lookup kernel")

    def prepare(self, steps, prompt=0):
        """Compiles the layer forms the first `steps` positions need, and
        the block forms of a `prompt` of that many tokens (so that no
        compile falls inside a timed decode)."""
        for length in {self.plan.length_for(p) for p in range(steps)}:
            self.layer_form(length)
            for layer in self.methods:
                self.method_form(length, layer)
        block = self._block_size
        if block:  # feed takes all prompt tokens but the last
            for j in range(self._full_blocks(0, prompt - 1)):
                self.block_form(self.plan.length_for((j + 1) * block - 1))

    @property
    def _block_size(self):
        """`prefill_block` where the plan has a block form and no layer has
        a method of its own, else None."""
        if hasattr(self.plan, "block_parts") and not self.methods:
            return self.prefill_block
        return None

    def _full_blocks(self, position, count):
        """The full blocks `feed` takes of `count` tokens from `position`
        (within the cache); the rest go one call each."""
        return max(0, min(count, self.plan.max_len - position)) \
            // self._block_size

    @property
    def ternary_layers(self):
        return sum(len(p.packed) for p in (self.embed, self.head)) + \
            len(self.layer.packed) * self.plan.layers

    def load(self, source, rename=None):
        """Weights from a safetensors / GGUF file or a PyTorch state dict
        (full-model names; `rename` maps them to the file's names)."""
        start = time.perf_counter()
        if not isinstance(source, dict):
            source = Checkpoint(source)
        rename = rename or (lambda name: name)
        name = self.plan.name
        shared = {}
        self.embed.weights = self.embed.arguments(
            source, lambda n: rename(name("embed", n)), shared)
        self.head.weights = self.head.arguments(
            source, lambda n: rename(name("head", n)), shared)
        self.layer_weights = [
            self.layer.arguments(source,
                                 lambda n, i=i: rename(name("layer", n, i)),
                                 shared)
            for i in range(self.plan.layers)]
        # The file's mapping and the shared arrays go before the move.
        del source, shared
        in_huge_pages([self.embed.weights, self.head.weights,
                       *self.layer_weights])
        self.load_s = time.perf_counter() - start

    def initial_state(self):
        return self.plan.initial_state()

    def step(self, tokens, state):
        """(logits, next state); state = (shared inputs, per-layer states)."""
        x, state = self._layers(tokens, state)
        t2 = time.perf_counter()
        (logits,) = self.head.call([x], self.head.weights)
        self.seconds["head"] += time.perf_counter() - t2
        return logits, state

    def feed(self, tokens, state):
        """The state after `tokens`, without the head: the prompt before its
        last token needs no logits. Full blocks of `prefill_block` tokens
        go through the block forms, the rest one call each."""
        block = self._block_size
        blocks = self._full_blocks(self.plan.position(state[0]),
                                   len(tokens)) if block else 0
        for j in range(blocks):
            _, state = self._layers(
                np.asarray(tokens[j * block:(j + 1) * block], dtype=np.int64),
                state)
        for token in tokens[blocks * (block or 1):]:
            _, state = self._layers(np.array([token], dtype=np.int64), state)
        return state

    def block_form(self, length):
        """(embedding, layer) compiled for a block of `prefill_block`
        tokens and `length` cache slots (on first use); their weights are
        the embedding's and the layer's arrays."""
        if length not in self.block_forms:
            forms = [CompiledLM(module, example, self.rewrite, self.pipeline,
                                f"{name}-block{self.prefill_block}-{length}",
                                self.debug)
                     for (module, example), name in zip(
                         self.plan.block_parts(length, self.prefill_block),
                         ("embedding", "layer"))]
            for form, like in zip(forms, (self.embed, self.layer)):
                if form.names != like.names or form.packed.keys() != \
                        like.packed.keys():
                    raise ValueError("the block form takes other weight "
                                     "arguments than the one-token form")
                self.compile_s += form.export_s + form.compile_s
            self.block_forms[length] = forms
        return self.block_forms[length]

    def _layers(self, tokens, state):
        """The embedding and every layer on one token, or on a full block
        through the block forms: (last hidden state, next state)."""
        shared, layers = state
        block = len(tokens)
        embed = self.embed
        # A block's size goes to the plan (only BitNet's has block forms).
        steps = (block,) if block > 1 else ()
        if block > 1:
            embed, layer = self.block_form(self.plan.length_for(
                self.plan.position(shared) + block - 1))
        clock = time.perf_counter
        t0 = clock()
        (x,) = embed.call([tokens], self.embed.weights)
        t1 = clock()
        after = []
        for i, (weights, own) in enumerate(zip(self.layer_weights, layers)):
            if block > 1:
                def call(length, inputs, weights=weights):
                    return layer.call(inputs, weights)
            elif i in self.methods:
                def call(length, inputs, i=i):
                    return self.method_form(length, i).call(inputs, [])
            else:
                def call(length, inputs, weights=weights):
                    return self.layer_form(length).call(inputs, weights)
            x, own = self.plan.call_layer(call, x, shared, own, *steps)
            after.append(own)
        self.seconds["embedding"] += t1 - t0
        self.seconds["layers"] += clock() - t1
        return x, (self.plan.next_shared(shared, *steps), after)

    def weight_bytes(self):
        """Bytes of the distinct weight arrays (a tied head counted once)."""
        arrays = {id(w): w for ws in [self.embed.weights, self.head.weights,
                                      *self.layer_weights] for w in ws}
        return sum(w.nbytes for w in arrays.values())

    def packed_bytes(self):
        def packed(part, weights):
            return sum(weights[i - part.inputs].nbytes for i in part.packed)
        return packed(self.embed, self.embed.weights) + \
            packed(self.head, self.head.weights) + \
            sum(packed(self.layer, ws) for ws in self.layer_weights)


def teacher_forced(step, state, tokens, want):
    """Feeds `tokens` to `step` and compares each call's logits with
    `want` (the reference's on the same tokens): (relative errors
    max|diff| / max|want|, calls whose argmax agrees)."""
    errors, agreed = [], 0
    for token, w in zip(tokens, want):
        logits, state = step(np.array([token], dtype=np.int64), state)
        errors.append(float(np.abs(logits - w).max() / np.abs(w).max()))
        agreed += int(np.argmax(logits) == np.argmax(w))
    return np.array(errors), agreed


def decode(step, prompt, steps, state, feed=None):
    """Feeds `prompt` one token at a time, then `steps` greedy tokens.
    `step(tokens [1], state) -> (logits [1, V], state)`. With `feed(tokens,
    state) -> state`, the prompt but its last token goes through `feed`
    instead (no logits: what a runtime's prefill computes), and their
    logits are not returned. Returns (generated tokens, logits of every
    call, seconds of the prompt, of the rest)."""
    tokens, logits_seen = [], []
    token, timing = None, [0.0, 0.0]
    first = 0
    if feed is not None and len(prompt) > 1:
        start = time.perf_counter()
        state = feed(np.array(prompt[:-1], dtype=np.int64), state)
        timing[0] += time.perf_counter() - start
        first = len(prompt) - 1
    for i in range(first, len(prompt) + steps - 1):
        token = prompt[i] if i < len(prompt) else token
        start = time.perf_counter()
        logits, state = step(np.array([token], dtype=np.int64), state)
        timing[i >= len(prompt)] += time.perf_counter() - start
        logits_seen.append(logits)
        if i >= len(prompt) - 1:
            token = int(np.argmax(logits[0]))
            tokens.append(token)
    return tokens, logits_seen, timing[0], timing[1]
