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
import gc
import resource
import sys
import time
import warnings

import numpy as np
import torch


def log(message):
    print(f"[mmfree-run] {message}", file=sys.stderr, flush=True)


TABLES = {"f16": torch.float16, "f32": torch.float32}


def build(args):
    """(the PyTorch model, its runner.LayeredLM plan, checkpoint renaming)."""
    if args.model == "matmulfree":
        from mmfree.matmulfree_lm import SIZES, MatmulFreeLM, Plan, randomize
        model = MatmulFreeLM(SIZES[args.size]).eval()
        if not args.weights:  # else the file's weights are loaded
            model = randomize(model, args.seed)
        return model, Plan(model, TABLES[args.tables]), None
    from mmfree import bitnet
    gguf = args.weights and args.weights.endswith(".gguf")
    # A BitNet GGUF file describes its model: the config comes from it.
    cfg = bitnet.config(args.size)
    if gguf:
        cfg = bitnet.config_from_gguf(args.weights)
        args.size = "from " + args.weights.rsplit("/", 1)[-1]
    # With a weights file, a model of zeros (untouched pages) to export.
    model = bitnet.packed_model(cfg, args.seed, random=not args.weights)
    return (model, bitnet.Plan(model, args.max_len, TABLES[args.tables]),
            bitnet.gguf_name if gguf else None)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=["bitnet", "matmulfree"],
                        default="bitnet")
    parser.add_argument("--size", default="tiny")
    parser.add_argument("--weights", help="safetensors or GGUF file (a "
                        "BitNet GGUF also gives the config)")
    parser.add_argument("--write-weights",
                        help="save the random weights here (.safetensors, "
                        "or .gguf for BitNet: TQ2_0, llama.cpp's names)")
    parser.add_argument("--prompt", default="1,2,3,4",
                        help="comma-separated token ids")
    parser.add_argument("--tokens", type=int, default=16)
    parser.add_argument("--max-len", type=int, default=64,
                        help="KV cache length (bitnet)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--target", default="host")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads of the ternary kernels")
    parser.add_argument("--tables", choices=list(TABLES), default="f16",
                        help="storage of the embedding and output head "
                        "(f16: half the bytes per token; exact for bf16 / "
                        "f16 checkpoints)")
    parser.add_argument("--llama-cpp", action="store_true",
                        help="also decode the same GGUF file (--weights or "
                        "--write-weights, BitNet) with llama.cpp, same "
                        "threads and cache length")
    parser.add_argument("--lmul", nargs="?", const="all",
                        choices=["all", "attention"],
                        help="L-Mul for every product the ternary rewrite "
                        "leaves in f32 (all: attention, norms, activations) "
                        "or for attention's products only")
    parser.add_argument("--profile", action="store_true",
                        help="sample the decode with perf and split its time "
                        "by the PyTorch source of the compiled code "
                        "(BitLinear, attention, norms, the rest), the "
                        "embedding, the head and the Python runtime")
    args = parser.parse_args()
    # PyTorch's export warns about its own deprecations on every module.
    warnings.simplefilter("ignore", FutureWarning)
    warnings.simplefilter("ignore", UserWarning)
    prompt = [int(t) for t in args.prompt.split(",")]
    gguf_file = next((f for f in (args.weights, args.write_weights)
                      if f and f.endswith(".gguf")), None)
    if args.llama_cpp and (args.model != "bitnet" or not gguf_file):
        parser.error("--llama-cpp needs --model bitnet and a .gguf file")
    if args.model == "bitnet" and len(prompt) + args.tokens > args.max_len:
        parser.error("prompt + tokens exceed --max-len")

    from mmfree.runner import TERNARY, LayeredLM, decode
    log(f"building {args.model} {args.size} "
        f"({'for ' + args.weights if args.weights else 'random weights'})")
    start = time.perf_counter()
    model, plan, rename = build(args)
    build_s = time.perf_counter() - start
    if args.write_weights:
        if args.write_weights.endswith(".gguf"):
            if args.model != "bitnet":
                parser.error("--write-weights .gguf is for --model bitnet")
            from mmfree.bitnet import write_gguf
            write_gguf(model, args.write_weights)
        else:
            from safetensors.torch import save_file
            state = model.state_dict()
            if args.model == "bitnet" and model.config.tie_word_embeddings:
                state.pop("lm_head.weight")  # stored once, as the embedding
            save_file(state, args.write_weights)
        log(f"wrote {args.write_weights}")
    log("exporting (torch-mlir) and compiling (mmfree-opt, clang) the "
        "embedding, one layer and the head")
    lmul = {"all": "--mmfree-mul-to-lmul",
            "attention": "--mmfree-mul-to-lmul=batched-only"}
    rewrite = TERNARY + (["--linalg-generalize-named-ops", lmul[args.lmul]]
                         if args.lmul else [])
    lm = LayeredLM(plan, rewrite,
                   f"mmfree-cpu-pipeline=target={args.target}"
                   f" threads={args.threads} out-params", debug=args.profile)
    lm.prepare(len(prompt) + args.tokens)  # one layer per cache length
    log(f"compiled in {lm.compile_s:.1f} s; loading weights")
    if args.weights:
        from mmfree.checkpoint import CheckpointError
        try:
            lm.load(args.weights, rename=rename)
        except CheckpointError as e:
            sys.exit(f"mmfree-run: error: {e}")
    else:
        lm.load(model.state_dict() | {
            f"{prefix}.{b}".lstrip("."): getattr(sub, b)
            for prefix, sub in model.named_modules()
            for b in sub._non_persistent_buffers_set})
    del model  # the compiled model holds its own (packed) weights
    # What exists now lives until the end: out of the collector's sight
    # (its full passes over the PyTorch objects took ~7% of a decode).
    gc.collect()
    gc.freeze()
    log(f"decoding {len(prompt)} prompt + {args.tokens} tokens")
    if args.profile:
        from mmfree.profile import PerfError, Sampler
        try:
            with Sampler() as sampler:
                tokens, _, prefill_s, decode_s = decode(
                    lm.step, prompt, args.tokens, lm.initial_state())
        except PerfError as e:
            sys.exit(f"mmfree-run: error: {e}")
    else:
        tokens, _, prefill_s, decode_s = decode(lm.step, prompt, args.tokens,
                                                lm.initial_state())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20
    packed = lm.packed_bytes()
    print(f"model       {args.model} {args.size}: {lm.ternary_layers} ternary "
          f"layers, {packed / 2 ** 20:.1f} MiB packed ternary weights, "
          f"{(lm.weight_bytes() - packed) / 2 ** 20:.1f} MiB others")
    print(f"build       {build_s:.2f} s (PyTorch model)")
    compiled = [lm.embed, lm.head, *lm.layer_forms.values()]
    export_s = sum(p.export_s for p in compiled)
    lengths = sorted(n for n in lm.layer_forms if n is not None)
    print(f"compile     {export_s:.2f} s export + {lm.compile_s - export_s:.2f}"
          f" s mmfree-opt/clang" + (f" (the layer for cache lengths "
                                    f"{', '.join(map(str, lengths))})"
                                    if lengths else ""))
    print(f"load        {lm.load_s:.2f} s")
    print(f"prefill     {len(prompt)} tokens, "
          f"{len(prompt) / max(prefill_s, 1e-9):.2f} tokens/s")
    print(f"decode      {args.tokens - 1} tokens, "
          f"{(args.tokens - 1) / max(decode_s, 1e-9):.2f} tokens/s")
    total = sum(lm.seconds.values())
    print("time split  " + ", ".join(
        f"{part} {100 * s / total:.1f}%" for part, s in lm.seconds.items()))
    print(f"peak memory {peak:.2f} GiB (this process, with the PyTorch model)")
    print("tokens      " + ",".join(map(str, tokens)))
    if args.profile:
        split = sampler.split({"embedding.so": "embedding",
                               "head.so": "output head"})
        sampler.close()
        for part, percent in split.most_common():
            print(f"profile     {percent:5.1f}%  {part}")
    if args.llama_cpp:
        compare_llama_cpp(args, gguf_file, prompt, tokens, decode)


def compare_llama_cpp(args, path, prompt, ours, decode):
    """llama.cpp on the same file, prompt and token count."""
    from mmfree.llamacpp import LlamaCpp, LlamaCppError
    log(f"decoding {path} with llama.cpp")
    start = time.perf_counter()
    try:
        llama = LlamaCpp(path, threads=args.threads, max_len=args.max_len)
    except LlamaCppError as e:
        sys.exit(f"mmfree-run: error: {e}")
    load_s = time.perf_counter() - start
    theirs, _, prefill_s, decode_s = decode(llama.step, prompt, args.tokens,
                                            llama.initial_state())
    print(f"llama.cpp   load {load_s:.2f} s, prefill "
          f"{len(prompt) / max(prefill_s, 1e-9):.2f} tokens/s, decode "
          f"{(args.tokens - 1) / max(decode_s, 1e-9):.2f} tokens/s, tokens "
          f"{'identical' if theirs == ours else 'differ'} (its BitNet graph "
          "computes the FFN with SiLU, per-256 activation scales)")


if __name__ == "__main__":
    main()
