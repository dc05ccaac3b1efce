# RUN: %venv_python %s | FileCheck %s
"""The BitNet GGUF files mmfree writes, run by llama.cpp itself (the
llama-cpp-python build, python/mmfree/llamacpp.py) and by the model mmfree
compiles from the same file: same greedy tokens, logits within a stated
bound. llama.cpp's BitNet graph computes the FFN with SiLU (the model here
sets hidden_act="silu") and its TQ kernels quantize activations per block
of 256 (Q8_K): with hidden and FFN sizes of 256 that is per token, as in
transformers; with 512 the two differ, and the size of that difference is
measured below."""

import tempfile
from pathlib import Path

import gguf
import numpy as np
import torch

from mmfree.bitnet import (Plan, config, config_from_gguf, gguf_name,
                           packed_model, round_as_gguf, write_gguf)
from mmfree.llamacpp import LlamaCpp, LlamaCppError
from mmfree.runner import LayeredLM, decode

tmp = Path(tempfile.mkdtemp(prefix="mmfree-llamacpp-"))
MAX_LEN = 48
PROMPT = [5, 17, 300, 42]


def errors_between(got, want):
    return np.array([np.abs(g - w).max() / np.abs(w).max()
                     for g, w in zip(got, want)])


def compare(name, cfg, qtype, seed):
    model = round_as_gguf(packed_model(cfg, seed))
    path = tmp / f"{name.replace('/', '-')}-{qtype.name}.gguf"
    write_gguf(model, path, qtype)
    ours = LayeredLM(Plan(model, MAX_LEN, torch.float16))
    ours.load(path, rename=gguf_name)
    llama = LlamaCpp(path, threads=1, max_len=MAX_LEN)
    mine, got, _, _ = decode(ours.step, PROMPT, 32, ours.initial_state())
    theirs, want, _, _ = decode(llama.step, PROMPT, 32, llama.initial_state())
    errors = errors_between(got, want)
    print(f"{name} {qtype.name}: {len(mine)} tokens, identical "
          f"{mine == theirs}, logit error median {np.median(errors):.1e} "
          f"max {errors.max():.1e}")
    return mine == theirs, errors, model, path


# 1. Every K is 256: llama.cpp's per-block activation scale is the per-token
# one. Measured median 7.3e-5, max 9.2e-5 of max|logit| (llama.cpp rounds
# the head's input to f16 for the f16 embedding it multiplies by): bound
# 1e-3.
cfg = config("tiny", hidden_size=256, intermediate_size=256,
             num_attention_heads=4, num_key_value_heads=2, hidden_act="silu",
             tie_word_embeddings=True)
for qtype in (gguf.GGMLQuantizationType.TQ2_0, gguf.GGMLQuantizationType.TQ1_0):
    same, errors, model, path = compare("256/256", cfg, qtype, seed=3)
    assert same and errors.max() <= 1e-3, errors
# CHECK: 256/256 TQ2_0: 32 tokens, identical True
# CHECK: 256/256 TQ1_0: 32 tokens, identical True

# The config llama.cpp reads is the one we read.
read = config_from_gguf(path, hidden_act="silu")
assert all(getattr(read, k) == getattr(cfg, k) for k in (
    "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
    "num_attention_heads", "num_key_value_heads", "tie_word_embeddings"))

# 2. FFN of 512: the down projection's input is two Q8_K blocks with their
# own scales in llama.cpp, one per-token scale in transformers and mmfree.
# Measured: median 4.1e-3, max 6.7e-3 of max|logit|, tokens identical.
cfg = config("tiny", hidden_size=256, intermediate_size=512,
             num_attention_heads=4, num_key_value_heads=2, hidden_act="silu",
             tie_word_embeddings=True, num_hidden_layers=3)
same, errors, _, _ = compare("256/512", cfg,
                             gguf.GGMLQuantizationType.TQ2_0, seed=4)
assert np.median(errors) <= 2e-2 and errors.max() <= 5e-2, errors
# CHECK: 256/512 TQ2_0: 32 tokens

# 3. A file llama.cpp cannot load is an error, not a crash.
bad = tmp / "truncated.gguf"
bad.write_bytes(path.read_bytes()[:4096])
try:
    LlamaCpp(bad)
    raise AssertionError("a truncated GGUF loaded")
except LlamaCppError as e:
    print("truncated:", e)
# CHECK: truncated: {{.*}}truncated.gguf: llama.cpp could not load the model
