"""mmfree-run: compile a whole language model with mmfree, load its weights,
greedy-decode tokens, report the times.

  mmfree-run --model bitnet --size tiny --tokens 32
  mmfree-run --model matmulfree --size 370m --weights model.gguf --prompt 1,2,3

Models: `bitnet` (transformers' BitNetForCausalLM, sizes tiny / large /
2b4t) and `matmulfree` (the MatMul-free LM, sizes tiny / 370m / 1.3b /
2.7b), built from their configs; weights from --weights (safetensors in
transformers' layout, or GGUF), else random ternary weights.
--write-weights saves the random weights as safetensors first. Progress goes
to stderr, the report to stdout."""

import argparse
import resource
import sys
import time

import numpy as np
import torch


def log(message):
    print(f"[mmfree-run] {message}", file=sys.stderr, flush=True)


def build(args):
    """(step module, example inputs, initial state, state -> step inputs,
    argument renaming for checkpoints)."""
    if args.model == "matmulfree":
        from mmfree.matmulfree_lm import SIZES, MatmulFreeLM, randomize
        model = randomize(MatmulFreeLM(SIZES[args.size]), args.seed).eval()
        state = model.initial_state()
        return model, (torch.tensor([1]), state), state.numpy(), None, None
    from mmfree import bitnet
    model = bitnet.packed_model(bitnet.config(args.size), args.seed)
    step = bitnet.DecodeStep(model, args.max_len).eval()
    keys, values = step.empty_cache()
    rename = bitnet.gguf_name if args.weights and \
        args.weights.endswith(".gguf") else bitnet.hf_name
    return (step, (torch.tensor([1]), torch.tensor([0]), keys, values),
            (0, keys.numpy(), values.numpy()), rename, model)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=["bitnet", "matmulfree"],
                        default="bitnet")
    parser.add_argument("--size", default="tiny")
    parser.add_argument("--weights", help="safetensors or GGUF file")
    parser.add_argument("--write-weights",
                        help="save the random weights here (safetensors)")
    parser.add_argument("--prompt", default="1,2,3,4",
                        help="comma-separated token ids")
    parser.add_argument("--tokens", type=int, default=16)
    parser.add_argument("--max-len", type=int, default=128,
                        help="KV cache length (bitnet)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--target", default="host")
    args = parser.parse_args()
    prompt = [int(t) for t in args.prompt.split(",")]
    if args.model == "bitnet" and len(prompt) + args.tokens > args.max_len:
        parser.error("prompt + tokens exceed --max-len")

    from mmfree.runner import CompiledLM, decode
    log(f"building {args.model} {args.size} (random weights)")
    start = time.perf_counter()
    module, example, state, rename, hf_model = build(args)
    build_s = time.perf_counter() - start
    if args.write_weights:
        from safetensors.torch import save_file
        save_file((hf_model or module).state_dict(), args.write_weights)
        log(f"wrote {args.write_weights}")
    log("exporting (torch-mlir) and compiling (mmfree-opt, clang)")
    lm = CompiledLM(module, example,
                    pipeline=f"mmfree-cpu-pipeline=target={args.target}")
    log(f"compiled in {lm.export_s + lm.compile_s:.1f} s; loading weights")
    start = time.perf_counter()
    if args.weights:
        lm.load(args.weights, rename=rename)
    else:
        lm.load_state({**dict(module.named_parameters()),
                       **dict(module.named_buffers())})
    load_s = time.perf_counter() - start

    if args.model == "bitnet":
        def step(tokens, st):
            position, keys, values = st
            logits, keys, values = lm.step(tokens, np.array([position]), keys,
                                           values)
            return logits, (position + 1, keys, values)
    else:
        step = lm.step
    log(f"decoding {len(prompt)} prompt + {args.tokens} tokens")
    tokens, _, prefill_s, decode_s = decode(step, prompt, args.tokens, state)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2 ** 20
    ternary_bytes = sum(lm.weights[i - lm.inputs].nbytes for i in lm.packed)
    print(f"model       {args.model} {args.size}: {lm.ternary_layers} ternary "
          f"layers, {ternary_bytes / 2 ** 20:.1f} MiB packed ternary weights,"
          f" {(lm.weight_bytes() - ternary_bytes) / 2 ** 20:.1f} MiB others")
    print(f"build       {build_s:.2f} s (PyTorch model)")
    print(f"compile     {lm.export_s:.2f} s export + {lm.compile_s:.2f} s "
          f"mmfree-opt/clang (peak {child:.2f} GiB)")
    print(f"load        {load_s:.2f} s")
    print(f"prefill     {len(prompt)} tokens, "
          f"{len(prompt) / max(prefill_s, 1e-9):.2f} tokens/s")
    print(f"decode      {args.tokens - 1} tokens, "
          f"{(args.tokens - 1) / max(decode_s, 1e-9):.2f} tokens/s")
    print(f"peak memory {peak:.2f} GiB (this process)")
    print("tokens      " + ",".join(map(str, tokens)))


if __name__ == "__main__":
    main()
