# RUN: %venv_python %s | FileCheck %s
"""transformers' own BitNet b1.58 (BitNetForCausalLM, the 2B4T architecture:
RMSNorm, sub-norms, RoPE, grouped-query attention, squared-ReLU gated FFN)
from a small config with random weights, its projections transformers'
AutoBitLinear with online quantization (absmean ternary weights, per-token
int8 activations, in forward), exported by torch-mlir, rewritten with
--mmfree-matmul-to-ternary=only-ternary-weights (the f32 output head stays
f32), compiled ahead of time and run. transformers' forward is the
reference."""

import torch
from transformers import BitNetConfig, BitNetForCausalLM
from transformers.integrations.bitnet import AutoBitLinear

from mmfree.compiler import compile_module, mmfree_opt
from mmfree.frontend import export_linalg
from mmfree.reference import compare

torch.manual_seed(0)
config = BitNetConfig(vocab_size=512, hidden_size=128, intermediate_size=320,
                      num_hidden_layers=2, num_attention_heads=4,
                      num_key_value_heads=2, max_position_embeddings=64,
                      bos_token_id=1, eos_token_id=2)
model = BitNetForCausalLM(config).eval()


def use_bitlinear(module):
    for name, child in module.named_children():
        if type(child) is torch.nn.Linear and name != "lm_head":
            layer = AutoBitLinear(child.in_features, child.out_features,
                                  bias=False, online_quant=True)
            layer.weight = child.weight
            setattr(module, name, layer)
        else:
            use_bitlinear(child)


use_bitlinear(model)


class Logits(torch.nn.Module):
    """Logits of a prompt (no cache; explicit positions and mask keep the
    export free of transformers' packed-sequence detection)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, ids):
        pos = torch.arange(ids.shape[1])[None]
        return self.model(input_ids=ids, attention_mask=torch.ones_like(ids),
                          position_ids=pos, use_cache=False).logits


net = Logits(model).eval()
ids = torch.randint(0, config.vocab_size, (1, 12))
text = export_linalg(net, ids)
lib, remarks = compile_module(
    text, ["--mmfree-matmul-to-ternary=only-ternary-weights"])
for line in sorted(set(l.split("remark: ")[1] for l in remarks.splitlines()
                       if "remark: " in l)):
    print(remarks.count(line), line)
# CHECK: 4 not rewritten to ternary: the weights vary along a batch dimension
# CHECK: 1 not rewritten to ternary: weights are not c * {-1, 0, 1} (only-ternary-weights)
rewritten, _ = mmfree_opt(text, "--mmfree-matmul-to-ternary=only-ternary-weights")
print(rewritten.count("mmfree.ternary_matmul"), "projections rewritten")
# 2 layers x (q, k, v, o, gate, up, down)
# CHECK: 14 projections rewritten

with torch.no_grad():
    want = net(ids).numpy()
got = lib.call("forward", [ids.numpy()], want.shape)
# Two layers of float norms, RoPE and softmax computed by each side in its
# own order before each int8 activation quantization: 1e-4 of max|logit|.
compare("bitnet logits", got, want, atol=0, rtol=1e-4)
# CHECK: ok bitnet logits
agree = (got.argmax(-1) == want.argmax(-1)).mean()
print(f"argmax agreement {agree:.2f}")
# CHECK: argmax agreement 1.00
