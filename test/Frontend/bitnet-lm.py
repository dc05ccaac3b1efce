# RUN: %venv_python %s | FileCheck %s
"""transformers' own BitNet b1.58 (BitNetForCausalLM: RMSNorm, sub-norms,
RoPE, grouped-query attention, squared-ReLU gated FFN), its projections
transformers' packed BitLinear, compiled whole as one decode step
(python/mmfree/bitnet.py: KV cache in and out), weights as arguments loaded
from safetensors (transformers' names and packed layout) and GGUF
(llama.cpp's BitNet names, TQ2_0 / TQ1_0 with a .scale tensor, F16
embedding and head). Reference: transformers' own greedy decoding with its
DynamicCache."""

import tempfile
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file
from transformers import DynamicCache

from mmfree.bitnet import (DecodeStep, Plan, config, config_from_gguf,
                           gguf_name, hf_name, packed_model, round_as_gguf,
                           write_gguf)
from mmfree.runner import TERNARY, CompiledLM, LayeredLM, decode

tmp = Path(tempfile.mkdtemp(prefix="mmfree-bitnet-"))
MAX_LEN = 48


def transformers_step(model):
    """transformers' own decoding step (its DynamicCache in the state)."""
    return Plan(model, MAX_LEN).reference()[0]


def compiled_step(lm):
    def step(tokens, state):
        position, keys, values = state
        logits, keys, values = lm.step(tokens, np.array([position]), keys,
                                       values)
        return logits, (position + 1, keys, values)
    return step


def agree(name, model, step, state, prompt, steps=32):
    ours, got, _, _ = decode(step, prompt, steps, state)
    theirs, want, _, _ = decode(transformers_step(model), prompt, steps,
                                (0, DynamicCache(config=model.config)))
    errors = np.array([np.abs(g - w).max() / np.abs(w).max()
                       for g, w in zip(got, want)])
    # As for the MatMul-free LM: an int8 activation step may move in a
    # call; half of the calls within 2e-6 of max|logit|, all within 5e-2.
    print(f"{name}: {len(ours)} tokens, identical {ours == theirs}, "
          f"logit error median {np.median(errors):.1e} max {errors.max():.1e}")
    assert ours == theirs, (ours, theirs)
    assert np.median(errors) <= 2e-6 and errors.max() <= 5e-2, errors


def whole(model):
    """The decode step compiled as one function."""
    step = DecodeStep(model, MAX_LEN).eval()
    lm = CompiledLM(step, (torch.tensor([1]), torch.tensor([0]),
                           *step.empty_cache()))
    keys, values = (a.numpy() for a in step.empty_cache())
    return lm, (0, keys, values)


# 1. The tiny 2B4T-like config from safetensors, compiled as one step
# function and as its blocks (embedding, one layer called per layer, head).
model = packed_model(config("tiny"))
save_file(model.state_dict(), tmp / "tiny.safetensors")
lm, state = whole(model)
left = sorted(set(line.split("remark: ")[1] for line in lm.remarks.splitlines()
                  if "remark:" in line))
print(f"tiny: {lm.ternary_layers} ternary layers on packed arguments")
for remark in left:
    print("left alone:", remark)
lm.load(tmp / "tiny.safetensors", rename=hf_name)
agree("tiny whole step, safetensors", model, compiled_step(lm), state,
      [5, 17, 99, 3])
layered = LayeredLM(Plan(model, MAX_LEN))
print(f"tiny layered: {layered.ternary_layers} ternary layers")
layered.load(tmp / "tiny.safetensors")
agree("tiny layered, safetensors", model, layered.step,
      layered.initial_state(), [5, 17, 99, 3])
# The prompt but its last token fed without the head (mmfree-run's
# prefill): the same state, so the same tokens and logits bit for bit.
fed, fed_logits, _, _ = decode(layered.step, [5, 17, 99, 3], 32,
                               layered.initial_state(), feed=layered.feed)
plain, plain_logits, _, _ = decode(layered.step, [5, 17, 99, 3], 32,
                                   layered.initial_state())
same = fed == plain and all(np.array_equal(a, b)
                            for a, b in zip(fed_logits, plain_logits[3:]))
print(f"tiny layered, prompt fed without the head: {len(fed_logits)} calls "
      f"with logits, identical {same}")
assert same
# The prompt in blocks of 8 tokens per layer call (a block form of the
# embedding and the layer, M = 8 rows in the BitLinears): 19 prompt tokens
# are 2 blocks and 3 single calls, then the decode as before.
long_prompt = [5, 17, 99, 3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 2, 1, 7, 6, 4,
               20, 21]
blocks = LayeredLM(Plan(model, MAX_LEN), prefill_block=8)
blocks.load(tmp / "tiny.safetensors")
by_block, block_logits, _, _ = decode(blocks.step, long_prompt, 20,
                                      blocks.initial_state(), feed=blocks.feed)
by_token, token_logits, _, _ = decode(layered.step, long_prompt, 20,
                                      layered.initial_state(),
                                      feed=layered.feed)
diff = max(np.abs(a - b).max() / np.abs(b).max()
           for a, b in zip(block_logits, token_logits))
print(f"tiny layered, prompt in blocks of 8: tokens identical "
      f"{by_block == by_token}, block forms for {sorted(blocks.block_forms)} "
      f"slots")
# Measured bit-identical here (0.0); attention's f32 sums may be tiled
# otherwise for 8 rows than for one on other targets.
assert by_block == by_token and diff <= 1e-5, diff
# CHECK: tiny: 14 ternary layers on packed arguments
# CHECK: left alone: not rewritten to ternary: the weights vary along a batch dimension
# CHECK: left alone: not rewritten to ternary: weights are not a compile-time constant; nor unpacked from 2-bit codes
# CHECK: tiny whole step, safetensors: 32 tokens, identical True
# CHECK: tiny layered: 14 ternary layers
# CHECK: tiny layered, safetensors: 32 tokens, identical True
# CHECK: tiny layered, prompt fed without the head: 32 calls with logits, identical True
# CHECK: tiny layered, prompt in blocks of 8: tokens identical True, block forms for [48] slots

# L-Mul for every product the ternary rewrite leaves in f32 (attention
# scores and P V, norms, RoPE, activations), as the L-Mul paper applies it
# to a whole model, and for attention's products only (batched-only):
# teacher-forced (both sides read transformers' tokens), the logit error
# and how often the argmax agrees.
reference, want, _, _ = decode(transformers_step(model), [5, 17, 99, 3], 32,
                               (0, DynamicCache(config=model.config)))
for name, lmul_flags, bound in (
        ("L-Mul products", ["--mmfree-mul-to-lmul"], 0.2),
        ("L-Mul attention", ["--mmfree-mul-to-lmul=batched-only"], 0.1)):
    lmul = LayeredLM(Plan(model, MAX_LEN), rewrite=TERNARY + [
        "--linalg-generalize-named-ops", *lmul_flags])
    lmul.load(tmp / "tiny.safetensors")
    state, errors, agreed = lmul.initial_state(), [], 0
    for i, token in enumerate([5, 17, 99, 3] + reference[:-1]):
        logits, state = lmul.step(np.array([token]), state)
        errors.append(np.abs(logits - want[i]).max() / np.abs(want[i]).max())
        agreed += int(np.argmax(logits) == np.argmax(want[i]))
    print(f"tiny layered, {name}: logit error median "
          f"{np.median(errors):.1e} max {max(errors):.1e}, argmax agrees "
          f"{agreed}/{len(errors)}")
    # All products measured 9.2e-2 / 1.6e-1, 32 of 35; attention only
    # 2.9e-2 / 4.1e-2, 34 of 35; bounds with margin.
    assert np.median(errors) < bound and agreed >= 0.8 * len(errors)
# CHECK: tiny layered, L-Mul products: logit error median
# CHECK: tiny layered, L-Mul attention: logit error median

# 2. Other head counts and sizes (6 heads over 3 KV heads, K = 192), the
# head tied to the embedding (the checkpoint holds it once, as
# save_pretrained writes it).
model = packed_model(config("tiny", hidden_size=192, intermediate_size=448,
                            num_hidden_layers=3, num_attention_heads=6,
                            num_key_value_heads=3, vocab_size=700,
                            tie_word_embeddings=True), seed=1)
save_file({k: v for k, v in model.state_dict().items()
           if k != "lm_head.weight"}, tmp / "odd.safetensors")
lm = LayeredLM(Plan(model, MAX_LEN))
lm.load(tmp / "odd.safetensors")
agree("192/448/3 layers/6:3 heads/tied safetensors", model, lm.step,
      lm.initial_state(), list(range(3, 700, 61)), steps=34)
# CHECK: 192/448/3 layers/6:3 heads/tied safetensors: 34 tokens, identical True

# A cache of 100 positions: the layer is compiled for 64 and 100 slots,
# and the decode crosses from one to the other (4 + 75 tokens); each step
# stores its key and value in the runner's cache in place.
long = LayeredLM(Plan(model, 100))
long.load(tmp / "odd.safetensors")
agree("100-slot cache, 79 positions", model, long.step, long.initial_state(),
      [9, 8, 7, 6], steps=75)
print("cache lengths compiled:", sorted(long.layer_forms))
# CHECK: 100-slot cache, 79 positions: 75 tokens, identical True
# CHECK: cache lengths compiled: [64, 100]


# 3. GGUF in llama.cpp's names and metadata (bitnet.write_gguf): ternary
# blocks with d = 1 and the layer's multiplier in its .scale tensor; one KV
# head (multi-query attention); the config read back from the metadata.
import gguf  # noqa: E402
model = packed_model(config("tiny", hidden_size=256, intermediate_size=512,
                            num_attention_heads=4, num_key_value_heads=1),
                     seed=2)
round_as_gguf(model)  # what the file holds exactly
# The embedding and head kept in f16 in the compiled model, as the file
# holds them (mmfree-run's default).
lm = LayeredLM(Plan(model, MAX_LEN, torch.float16))
for qtype in (gguf.GGMLQuantizationType.TQ2_0, gguf.GGMLQuantizationType.TQ1_0):
    path = tmp / f"bitnet-{qtype.name}.gguf"
    write_gguf(model, path, qtype)
    read = config_from_gguf(path)
    assert all(getattr(read, k) == getattr(model.config, k) for k in (
        "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
        "num_attention_heads", "num_key_value_heads", "rms_norm_eps",
        "rope_parameters", "tie_word_embeddings")), read
    lm.load(path, rename=gguf_name)
    agree(f"256/512/MQA {qtype.name} gguf", model, lm.step,
          lm.initial_state(), [11, 400, 2])
# CHECK: 256/512/MQA TQ2_0 gguf: 32 tokens, identical True
# CHECK: 256/512/MQA TQ1_0 gguf: 32 tokens, identical True


# 4. bf16 master weights (Hugging Face's unquantized BitNet layout: each
# projection a plain N x K weight, no weight_scale), ternarized at load time
# by BitNet's absmean quantization. Reference: transformers' AutoBitLinear
# with online quantization (WeightQuant, ActQuant) on the same weights.
from safetensors.torch import save_file  # noqa: E402
from transformers.integrations.bitnet import AutoBitLinear  # noqa: E402

cfg = config("tiny", hidden_size=192, intermediate_size=384,
             num_attention_heads=6, num_key_value_heads=2)
reference = packed_model(cfg, seed=3)
gen = torch.Generator().manual_seed(3)


def with_master_weights(module):
    for name, child in module.named_children():
        if type(child).__name__ == "BitLinear":
            linear = AutoBitLinear(child.in_features, child.out_features,
                                   bias=False, online_quant=True)
            with torch.no_grad():
                w = torch.randn(linear.weight.shape, generator=gen) * 0.02
                linear.weight.copy_(w.bfloat16().float())  # what bf16 holds
            setattr(module, name, linear)
        else:
            with_master_weights(child)


with_master_weights(reference)
reference.eval()
state = {k: (v.bfloat16() if k.endswith("proj.weight") else v)
         for k, v in reference.state_dict().items()}
save_file(state, tmp / "master.safetensors")
lm = LayeredLM(Plan(packed_model(cfg, random=False), MAX_LEN))
lm.load(tmp / "master.safetensors")
agree("192/384/6:2 heads, bf16 master weights", reference, lm.step,
      lm.initial_state(), [7, 70, 170])
# CHECK: 192/384/6:2 heads, bf16 master weights: 32 tokens, identical True

# A non-finite master weight is an error naming it.
from mmfree.checkpoint import CheckpointError  # noqa: E402
state["model.layers.1.mlp.up_proj.weight"][5, 9] = float("nan")
save_file(state, tmp / "nan.safetensors")
try:
    lm.load(tmp / "nan.safetensors")
except CheckpointError as e:
    print("error:", str(e).split(": ", 1)[1])
# CHECK: error: master weight 'model.layers.1.mlp.up_proj.weight' [5, 9] is nan
