# RUN: %venv_python %s | FileCheck %s
"""mmfree-run end to end on tiny models of both families: the MatMul-free
LM's random weights written to safetensors and loaded back decode the same
tokens; a BitNet GGUF it writes gives the config and the weights of a second
run; a bad file is a clear error and a nonzero exit."""

import os
import re
import subprocess
import tempfile
from pathlib import Path

tool = Path(os.environ["MMFREE_BUILD"]) / "bin" / "mmfree-run"
tmp = Path(tempfile.mkdtemp(prefix="mmfree-run-"))


def run(*args, ok=True):
    done = subprocess.run([str(tool), *args], capture_output=True, text=True)
    assert (done.returncode == 0) == ok, done.stderr[-3000:]
    return done


for model in ("matmulfree",):
    path = tmp / f"{model}.safetensors"
    first = run("--model", model, "--tokens", "8", "--write-weights", str(path))
    second = run("--model", model, "--tokens", "8", "--weights", str(path))
    report = dict(line.split(None, 1) for line in first.stdout.splitlines())
    print(f"{model}: {report['model'].split(':')[1].strip()}")
    print(f"{model}: decode {'tokens/s' in report['decode']}, "
          f"split {report['time'].startswith('split')}")
    print(f"{model}: same tokens from the file "
          f"{report['tokens'] == second.stdout.split('tokens')[-1].strip()}")
# CHECK: matmulfree: 14 ternary layers,
# CHECK: matmulfree: decode True, split True
# CHECK: matmulfree: same tokens from the file True

# A BitNet GGUF written by mmfree-run describes its model: loaded without
# --size, the same tokens (TQ2_0 holds the ternary weights exactly; the
# f16 embedding and head change the logits a little).
path = tmp / "bitnet.gguf"
first = run("--model", "bitnet", "--size", "tiny", "--tokens", "8",
            "--write-weights", str(path))
second = run("--model", "bitnet", "--size", "2b4t", "--tokens", "8",
             "--weights", str(path))
report = dict(line.split(None, 1) for line in second.stdout.splitlines())
print(f"gguf: {report['model']}")
print(f"gguf: {len(report['tokens'].split(','))} tokens")
# CHECK: gguf: bitnet from bitnet.gguf: 14 ternary layers,
# CHECK: gguf: 8 tokens

# The prompt in blocks (--prefill-block 4: the first 8 of 10 prompt tokens
# in two block calls per layer) decodes the same tokens as one at a time.
prompt = "3,1,4,1,5,9,2,6,5,3"
blocks = run("--model", "bitnet", "--weights", str(path), "--tokens", "8",
             "--prompt", prompt, "--prefill-block", "4")
single = run("--model", "bitnet", "--weights", str(path), "--tokens", "8",
             "--prompt", prompt, "--prefill-block", "1")
by_block = dict(line.split(None, 1) for line in blocks.stdout.splitlines())
by_token = dict(line.split(None, 1) for line in single.stdout.splitlines())
print(f"blocks: {'4-token block for 64' in by_block['compile']}, same tokens "
      f"{by_block['tokens'] == by_token['tokens']}")
# CHECK: blocks: True, same tokens True
print(run("--model", "bitnet", "--prefill-block", "0", ok=False).stderr
      .strip().splitlines()[-1])
# CHECK: error: --prefill-block must be at least 1

# --llama-cpp: llama.cpp decodes the same file in the same run. The tiny
# model's K of 128 is stored as I8, which ggml cannot multiply: refused.
bad = run("--model", "bitnet", "--tokens", "8", "--weights", str(path),
          "--llama-cpp", ok=False)
print(bad.stderr.strip().splitlines()[-1].replace(str(tmp) + "/", ""))
# CHECK: mmfree-run: error: bitnet.gguf: llama.cpp cannot multiply 'blk.0.attn_q.weight' (I8;
from mmfree.bitnet import config, packed_model, write_gguf  # noqa: E402
wide = tmp / "bitnet-256.gguf"
write_gguf(packed_model(config("tiny", hidden_size=256,
                               intermediate_size=512,
                               tie_word_embeddings=True)), wide)
both = run("--model", "bitnet", "--tokens", "8", "--weights", str(wide),
           "--llama-cpp")
report = dict(line.split(None, 1) for line in both.stdout.splitlines())
print("llama.cpp:", "decode" in report["llama.cpp"],
      "tokens/s" in report["llama.cpp"])
# CHECK: llama.cpp: True True

# --profile: perf samples the decode; the compiled layer's line tables name
# the PyTorch source of each sample, so its time splits into BitLinear,
# attention, norms and the rest, next to the embedding, head and runtime.
profiled = run("--model", "bitnet", "--tokens", "400", "--max-len", "512",
               "--profile")
split = {part: float(percent) for percent, part in
         re.findall(r"^profile\s+([\d.]+)%\s+(.*)$", profiled.stdout, re.M)}
print("profile:", [p for p in sorted(split) if "BitLinear" in p or
                   "attention" in p], round(sum(split.values())) in (99, 100))
# CHECK: profile: ['attention (RoPE, cache, scores, softmax, P V)', 'ternary BitLinear (quantize, contract, dequantize)'] True

(tmp / "bad.safetensors").write_bytes(b"\x02\x00\x00\x00\x00\x00\x00\x00{}")
bad = run("--model", "bitnet", "--weights", str(tmp / "bad.safetensors"),
          ok=False)
print(bad.stderr.strip().splitlines()[-1].replace(str(tmp) + "/", ""))
# CHECK: mmfree-run: error: bad.safetensors: no tensor 'model.embed_tokens.weight'
