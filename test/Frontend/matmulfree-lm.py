# RUN: %venv_python %s | FileCheck %s
"""The MatMul-free LM (python/mmfree/matmulfree_lm.py: MLGRU + GLU layers,
every projection transformers' packed BitLinear) compiled whole, one decode
step per call with the recurrent state in and out, its weights function
arguments loaded from safetensors (transformers' packed layout) and GGUF
(TQ2_0 / TQ1_0 ternary, F16 / F32), decoding greedily against PyTorch's
forward of the same model."""

import tempfile
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file

from mmfree.checkpoint import CheckpointError, gguf_writer
from mmfree.matmulfree_lm import Config, MatmulFreeLM, Plan, randomize
from mmfree.packing import unpack_transformers
from mmfree.runner import CompiledLM, LayeredLM, decode

tmp = Path(tempfile.mkdtemp(prefix="mmfree-lm-"))


def torch_step(model):
    def step(tokens, state):
        with torch.no_grad():
            logits, state = model(torch.from_numpy(tokens),
                                  torch.from_numpy(state))
        return logits.numpy(), state.numpy()
    return step


def agree(name, model, step, state, prompt, steps=32):
    """Greedy tokens identical; logits of each call within the bound."""
    ours, got, _, _ = decode(step, prompt, steps, state)
    theirs, want, _, _ = decode(torch_step(model), prompt, steps,
                                model.initial_state().numpy())
    errors = np.array([np.abs(g - w).max() / np.abs(w).max()
                       for g, w in zip(got, want)])
    # Float sums in another order may move one int8 activation step in
    # a call; its effect decays with the recurrent state over a few calls.
    # Bounds: 2e-6 of max|logit| for half of the calls, 5e-2 for all.
    typical = np.median(errors)
    print(f"{name}: {len(ours)} tokens, identical {ours == theirs}, "
          f"logit error median {typical:.1e} max {errors.max():.1e}")
    assert ours == theirs, (ours, theirs)
    assert typical <= 2e-6 and errors.max() <= 5e-2, errors


def write_gguf(model, path, ternary_type):
    import gguf
    with gguf_writer(path, "mmfree-matmulfree-lm") as writer:
        writer.add_block_count(model.cfg.layers)
        for name, t in model.state_dict().items():
            if name.endswith(".weight_scale"):
                continue  # in the ternary tensor's block scales
            module = model.get_submodule(name.rsplit(".", 1)[0])
            if name.endswith(".weight") and hasattr(module, "weight_scale"):
                d = np.float32(1) / module.weight_scale.numpy()[0]
                data = gguf.quants.quantize(
                    unpack_transformers(t.numpy()) * d, ternary_type)
                writer.add_tensor(name, data, raw_dtype=ternary_type)
            elif name in ("embed.weight", "head.weight"):
                writer.add_tensor(name, t.numpy().astype(np.float16))
            else:
                writer.add_tensor(name, t.numpy())


def f16_exact(model):
    """Weights a GGUF holds exactly: f16 embedding and head, scales whose
    reciprocal is an f16 number."""
    with torch.no_grad():
        for p in (model.embed.weight, model.head.weight):
            p.copy_(p.half().float())
        for m in model.modules():
            if hasattr(m, "weight_scale"):
                d = np.float16(1 / m.weight_scale.item())
                m.weight_scale.fill_(float(np.float32(1) / np.float32(d)))
    return model


# 1. Tiny model from safetensors (transformers' packed layout), compiled as
# one step function and as its blocks (embedding, one layer called per
# layer, head).
cfg = Config(vocab=256, dim=64, hidden=128, layers=2)
model = randomize(MatmulFreeLM(cfg)).eval()
save_file(model.state_dict(), tmp / "tiny.safetensors")
lm = CompiledLM(model, (torch.tensor([1]), model.initial_state()))
print(f"tiny: {lm.ternary_layers} ternary layers on packed arguments; "
      f"{lm.remarks.count('not rewritten')} left alone")
lm.load(tmp / "tiny.safetensors")
agree("tiny whole step, safetensors", model, lm.step,
      model.initial_state().numpy(), [5, 17, 99, 3])
lm = LayeredLM(Plan(model))
lm.load(tmp / "tiny.safetensors")
agree("tiny layered, safetensors", model, lm.step, lm.initial_state(),
      [5, 17, 99, 3])
# CHECK: tiny: 14 ternary layers on packed arguments; 1 left alone
# CHECK: tiny whole step, safetensors: 32 tokens, identical True
# CHECK: tiny layered, safetensors: 32 tokens, identical True

# 2. Another shape (K not a multiple of 64, 3 layers, a longer prompt).
cfg = Config(vocab=300, dim=96, hidden=200, layers=3)
model = randomize(MatmulFreeLM(cfg), seed=1).eval()
lm = LayeredLM(Plan(model))
save_file(model.state_dict(), tmp / "odd.safetensors")
lm.load(tmp / "odd.safetensors")
agree("96x200x3 safetensors", model, lm.step, lm.initial_state(),
      list(range(7, 300, 37)), steps=40)
# CHECK: 96x200x3 safetensors: 40 tokens, identical True

# A medium size (512 / 1408, 4 layers, vocab 4096), a 6-token prompt.
cfg = Config(vocab=4096, dim=512, hidden=1408, layers=4)
model = randomize(MatmulFreeLM(cfg), seed=3).eval()
save_file(model.state_dict(), tmp / "medium.safetensors")
lm = LayeredLM(Plan(model))
lm.load(tmp / "medium.safetensors")
agree("512x1408x4 safetensors", model, lm.step, lm.initial_state(),
      [1, 1000, 2000, 3000, 4000, 7], steps=32)
# CHECK: 512x1408x4 safetensors: 32 tokens, identical True

# 3. GGUF: TQ2_0 and TQ1_0 ternary layers (K a multiple of 256), F16
# embedding and head (kept in f16 by the compiled model too), F32 norms.
import gguf  # noqa: E402
cfg = Config(vocab=512, dim=256, hidden=512, layers=2)
model = f16_exact(randomize(MatmulFreeLM(cfg), seed=2)).eval()
lm = LayeredLM(Plan(model, torch.float16))
for qtype in (gguf.GGMLQuantizationType.TQ2_0, gguf.GGMLQuantizationType.TQ1_0):
    path = tmp / f"model-{qtype.name}.gguf"
    write_gguf(model, path, qtype)
    lm.load(path)
    agree(f"256x512 {qtype.name} gguf", model, lm.step, lm.initial_state(),
          [11, 400, 2])
# CHECK: 256x512 TQ2_0 gguf: 32 tokens, identical True
# CHECK: 256x512 TQ1_0 gguf: 32 tokens, identical True


# 4. Bad files: clear errors naming the tensor.
def load_error(path):
    try:
        lm.load(path)
    except CheckpointError as e:
        print("error:", str(e).replace(str(tmp) + "/", ""))


state = model.state_dict()
save_file({k: v for k, v in state.items() if k != "layers.1.up.weight"},
          tmp / "missing.safetensors")
load_error(tmp / "missing.safetensors")
# CHECK: error: missing.safetensors: no tensor 'layers.1.up.weight'
wrong = dict(state)
wrong["norm.weight"] = torch.ones(255)
save_file(wrong, tmp / "shape.safetensors")
load_error(tmp / "shape.safetensors")
# CHECK: error: shape.safetensors: 'norm.weight' has shape (255,), the model takes (256,)
wrong = dict(state)
wrong["layers.0.c.weight"] = state["layers.0.c.weight"].clone()
wrong["layers.0.c.weight"][3, 5] = 0xFF
save_file(wrong, tmp / "code.safetensors")
load_error(tmp / "code.safetensors")
# CHECK: error: code.safetensors: layers.0.c.weight: weight [3, 5] has code 3 = 2, not ternary
data = (tmp / "model-TQ2_0.gguf").read_bytes()
(tmp / "truncated.gguf").write_bytes(data[: len(data) // 2])
load_error(tmp / "truncated.gguf")
# CHECK: error: truncated.gguf: not a readable GGUF file
(tmp / "truncated.safetensors").write_bytes(
    (tmp / "shape.safetensors").read_bytes()[:1000])
load_error(tmp / "truncated.safetensors")
# CHECK: error: truncated.safetensors: not a readable safetensors file
