"""A language model compiled whole by mmfree, one decode step per call:
exported from PyTorch with its weights as arguments, rewritten (ternary
layers on packed arguments), compiled ahead of time, its weights loaded from
a checkpoint, decoded greedily."""

import time

import numpy as np

from .checkpoint import load_arguments, signature
from .compiler import compile_module
from .frontend import export_with_parameters

TERNARY = ["--mmfree-matmul-to-ternary=packed-arguments only-ternary-weights"]


class CompiledLM:
    """`step(tokens, *state) -> (logits, *state)` of `model`, compiled.
    `example` are the step's non-weight arguments (token ids, state)."""

    def __init__(self, model, example, rewrite=TERNARY,
                 pipeline="mmfree-cpu-pipeline=target=host"):
        # Buffers no checkpoint holds (computed from the config).
        self.derived = {
            f"{prefix}.{b}".lstrip("."): getattr(sub, b).detach().numpy()
            for prefix, sub in model.named_modules()
            for b in sub._non_persistent_buffers_set}
        start = time.perf_counter()
        text, self.names = export_with_parameters(model, *example)
        self.export_s = time.perf_counter() - start
        start = time.perf_counter()
        self.lib, self.remarks = compile_module(text, rewrite, pipeline)
        self.compile_s = time.perf_counter() - start
        self.args, self.results = signature(self.lib.text)
        self.packed = self.lib.packed["forward"]
        self.inputs = len(example)
        self.weights = None

    @property
    def ternary_layers(self):
        return len(self.packed)

    def load(self, path, rename=None):
        """Loads (and packs) the weights from a safetensors or GGUF file;
        `rename` maps argument names to the file's tensor names."""
        start = time.perf_counter()
        self.weights = load_arguments(path, self.names, self.args, self.packed,
                                      first=self.inputs, rename=rename,
                                      derived=self.derived)
        self.load_s = time.perf_counter() - start

    def load_state(self, state):
        """Weights from a PyTorch state dict (transformers' layouts)."""
        self.weights = []
        for i, name in enumerate(self.names, start=self.inputs):
            array = state[name].detach().numpy()
            self.weights.append(self.packed[i].pack(array, name)
                                if i in self.packed else array)

    def step(self, *inputs):
        return self.lib.call_results("forward", [*inputs, *self.weights],
                                     self.results)

    def weight_bytes(self):
        return sum(w.nbytes for w in self.weights)


def decode(step, prompt, steps, state):
    """Feeds `prompt` one token at a time, then `steps` greedy tokens.
    `step(tokens [1], state) -> (logits [1, V], state)`. Returns (generated
    tokens, logits of every call, seconds of the prompt, of the rest)."""
    tokens, logits_seen = [], []
    token, timing = None, [0.0, 0.0]
    for i in range(len(prompt) + steps - 1):
        token = prompt[i] if i < len(prompt) else token
        start = time.perf_counter()
        logits, state = step(np.array([token], dtype=np.int64), state)
        timing[i >= len(prompt)] += time.perf_counter() - start
        logits_seen.append(logits)
        if i >= len(prompt) - 1:
            token = int(np.argmax(logits[0]))
            tokens.append(token)
    return tokens, logits_seen, timing[0], timing[1]
