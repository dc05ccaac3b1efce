# RUN: %venv_python %s | FileCheck %s
# REQUIRES: avx2
"""Per-layer method choice (python/mmfree/methods.py): a chosen layer of a
whole model compiled with its weights as constants, as T-MAC-style ternary
lookups (kernel `lookup`: exact, so the model must still match PyTorch) or
as MADDNESS tables learned from activations recorded by running the
PyTorch model (an approximation: its error is measured and bounded)."""

import numpy as np

from mmfree import bitnet, matmulfree_lm
from mmfree.methods import parse, projection_errors
from mmfree.runner import LayeredLM, decode, teacher_forced

PROMPT = [5, 17, 99, 3]


def run(name, plan, spec, calibration=None):
    lm = LayeredLM(plan, methods=parse(spec, plan.layers, codebooks=32),
                   calibration_tokens=calibration)
    model = plan.model
    lm.load(model.state_dict() | {
        f"{p}.{b}".lstrip("."): getattr(sub, b)
        for p, sub in model.named_modules()
        for b in sub._non_persistent_buffers_set})
    step, state = plan.reference()
    want_tokens, want, _, _ = decode(step, PROMPT, 32, state)
    ours, _, _, _ = decode(lm.step, PROMPT, 32, lm.initial_state())
    errors, agreed = teacher_forced(lm.step, lm.initial_state(),
                                    PROMPT + want_tokens[:-1], want)
    for layer in lm.methods:
        print(f"{name} layer {layer}: {lm.method_summary(layer)}")
    print(f"{name} {spec}: tokens identical {ours == want_tokens}, logit "
          f"error median {np.median(errors):.1e} max {errors.max():.1e}, "
          f"argmax {agreed}/{len(errors)}")
    return ours == want_tokens, errors, agreed


# Lookups on one layer, the other on runtime packed weights: exact.
for name, plan, layers in (
        ("bitnet", bitnet.Plan(bitnet.packed_model(bitnet.config("tiny")), 48),
         "1=lookup"),
        ("matmulfree", matmulfree_lm.Plan(matmulfree_lm.randomize(
            matmulfree_lm.MatmulFreeLM(matmulfree_lm.SIZES["tiny"]))),
         "0=lookup")):
    same, errors, _ = run(name, plan, layers)
    assert same and np.median(errors) <= 2e-6 and errors.max() <= 5e-2
# CHECK: bitnet layer 1: lookup, 7 of 7 ternary contractions on the lookup kernel
# CHECK: bitnet 1=lookup: tokens identical True
# CHECK: matmulfree layer 0: lookup, 7 of 7 ternary contractions on the lookup kernel
# CHECK: matmulfree 0=lookup: tokens identical True

# MADDNESS on the last layer of the MatMul-free LM, learned from 2048
# tokens. Each product alone, on 64 held-out tokens, measured 0.31-0.34
# (0.64 for `down`, whose inputs are GLU products); the logits, 0.33
# (max 0.62), argmax 18 of 35. Random weights make activations of full
# rank, the worst case for MADDNESS (it assumes correlated activations).
plan = matmulfree_lm.Plan(matmulfree_lm.randomize(
    matmulfree_lm.MatmulFreeLM(matmulfree_lm.SIZES["tiny"])))
rng = np.random.default_rng(0)
train = rng.integers(0, 256, 2048).tolist()
held = rng.integers(0, 256, 64).tolist()
_, errors, agreed = run("matmulfree", plan, "1=maddness", train)
products = projection_errors(plan, 1, train, held, 32)
print("matmulfree layer 1, each product alone: " + ", ".join(
    f"{n} {e:.2f}" for n, _, _, e in products))
assert all(e < 0.5 for n, _, _, e in products if n != "down"), products
assert np.median(errors) < 0.6 and agreed >= 10, (errors, agreed)
# Fewer codebooks, a larger error: the tables are learned, not ignored.
fewer = projection_errors(plan, 1, train, held, 8)
print("8 codebooks: " + ", ".join(f"{n} {e:.2f}" for n, _, _, e in fewer))
assert np.mean([e for *_, e in fewer]) > np.mean([e for *_, e in products])
# CHECK: matmulfree layer 1: maddness, 7 contractions as table lookups (32 codebooks, learned from 2048 tokens)
# CHECK: matmulfree 1=maddness: tokens identical
# CHECK: matmulfree layer 1, each product alone: f 0.
# CHECK: 8 codebooks:
