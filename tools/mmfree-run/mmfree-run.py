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
    parser.add_argument("--prefill-block", type=int, default=32,
                        help="prompt tokens per layer call (bitnet; "
                        "32 takes the AMX kernel where there is one; "
                        "1: one token at a time)")
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
    parser.add_argument("--layer-methods", default="",
                        help="per-layer methods, e.g. 0=maddness,5=lookup: "
                        "those layers are compiled with their weights as "
                        "constants (random weights or a safetensors file), "
                        "as MADDNESS tables learned from activations "
                        "recorded by running PyTorch, or T-MAC-style "
                        "ternary lookups (exact)")
    parser.add_argument("--codebooks", type=int, default=32,
                        help="MADDNESS codebooks per contraction")
    parser.add_argument("--calibration-tokens", type=int, default=2048,
                        help="random tokens PyTorch runs to record the "
                        "activations MADDNESS learns from")
    parser.add_argument("--compare", action="store_true",
                        help="also decode with the PyTorch model and report "
                        "whether the tokens match, and the logit error "
                        "with both reading PyTorch's tokens")
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
    if args.prefill_block < 1:
        parser.error("--prefill-block must be at least 1")
    if (args.layer_methods or args.compare) and gguf_file == args.weights \
            and gguf_file:
        parser.error("--layer-methods and --compare need the weights in the "
                     "PyTorch model: random weights or a safetensors file")

    from mmfree.runner import TERNARY, LayeredLM, decode
    log(f"building {args.model} {args.size} "
        f"({'for ' + args.weights if args.weights else 'random weights'})")
    start = time.perf_counter()
    model, plan, rename = build(args)
    if args.weights and (args.layer_methods or args.compare):
        load_into(model, args.weights)
    build_s = time.perf_counter() - start
    from mmfree.methods import parse
    try:
        methods = parse(args.layer_methods, plan.layers, args.codebooks)
    except ValueError as e:
        parser.error(f"--layer-methods {e}")
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
    calibration = np.random.default_rng(args.seed).integers(
        0, vocab_size(model), args.calibration_tokens).tolist()
    lm = LayeredLM(plan, rewrite,
                   f"mmfree-cpu-pipeline=target={args.target}"
                   f" threads={args.threads} out-params", debug=args.profile,
                   methods=methods, calibration_tokens=calibration,
                   prefill_block=args.prefill_block
                   if args.prefill_block > 1 else None)
    if methods:
        log(f"layers {', '.join(map(str, methods))} with their methods "
            "(MADDNESS: learning from the activations of "
            f"{len(calibration)} tokens)")
    try:
        # One layer per cache length, and per cache length of a prompt block.
        lm.prepare(len(prompt) + args.tokens, prompt=len(prompt))
    except RuntimeError as e:
        sys.exit(f"mmfree-run: error: {e}")
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
                    lm.step, prompt, args.tokens, lm.initial_state(),
                    feed=lm.feed)
        except PerfError as e:
            sys.exit(f"mmfree-run: error: {e}")
    else:
        tokens, _, prefill_s, decode_s = decode(lm.step, prompt, args.tokens,
                                                lm.initial_state(),
                                                feed=lm.feed)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20
    packed = lm.packed_bytes()
    print(f"model       {args.model} {args.size}: {lm.ternary_layers} ternary "
          f"layers, {packed / 2 ** 20:.1f} MiB packed ternary weights, "
          f"{(lm.weight_bytes() - packed) / 2 ** 20:.1f} MiB others")
    print(f"build       {build_s:.2f} s (PyTorch model)")
    compiled = [lm.embed, lm.head, *lm.layer_forms.values(),
                *lm.method_forms.values(),
                *(f for forms in lm.block_forms.values() for f in forms)]
    export_s = sum(p.export_s for p in compiled)
    lengths = sorted(n for n in lm.layer_forms if n is not None)
    blocks = "".join(f", the {lm.prefill_block}-token block for {n}"
                     for n in sorted(lm.block_forms))
    print(f"compile     {export_s:.2f} s export + {lm.compile_s - export_s:.2f}"
          f" s mmfree-opt/clang" + (f" (the layer for cache lengths "
                                    f"{', '.join(map(str, lengths))}{blocks})"
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
    for layer, method in lm.methods.items():
        print(f"method      layer {layer}: {lm.method_summary(layer)}")
    if args.profile:
        split = sampler.split({"embedding.so": "embedding",
                               "head.so": "output head"})
        sampler.close()
        for part, percent in split.most_common():
            print(f"profile     {percent:5.1f}%  {part}")
    if args.llama_cpp:
        compare_llama_cpp(args, gguf_file, prompt, tokens, decode)
    if args.compare:
        compare_pytorch(lm, plan, prompt, args.tokens, tokens)


def load_into(model, path):
    """A safetensors file's weights into the PyTorch model (for methods
    that need weights at compile time, and for --compare)."""
    from safetensors.torch import load_file
    missing, unexpected = model.load_state_dict(load_file(path), strict=False)
    tied = {"lm_head.weight"} if getattr(
        getattr(model, "config", None), "tie_word_embeddings", False) else set()
    if set(missing) - tied or unexpected:
        sys.exit(f"mmfree-run: error: {path}: missing "
                 f"{sorted(set(missing) - tied)[:3]}, unexpected "
                 f"{sorted(unexpected)[:3]}")


def vocab_size(model):
    cfg = getattr(model, "config", None) or model.cfg
    return getattr(cfg, "vocab_size", None) or cfg.vocab


def compare_pytorch(lm, plan, prompt, steps, ours):
    """PyTorch's greedy tokens against ours, then the logit error of every
    call with both reading PyTorch's tokens (teacher-forced)."""
    from mmfree.runner import decode, teacher_forced
    log("decoding with PyTorch")
    # The same model: its embedding and head rounded as the compiled one
    # holds them (--tables).
    with torch.no_grad():
        for p in plan.tables():
            p.copy_(p.to(plan.table_dtype).float())
    step, state = plan.reference()
    theirs, want, _, _ = decode(step, prompt, steps, state)
    errors, agreed = teacher_forced(lm.step, lm.initial_state(),
                                    prompt + theirs[:-1], want)
    print(f"vs PyTorch  tokens {'identical' if ours == theirs else 'differ'}"
          f"; teacher-forced logit error (of max|logit|) median "
          f"{np.median(errors):.2e} max {errors.max():.2e}, argmax agrees "
          f"{agreed}/{len(errors)}")
    from mmfree.methods import projection_errors
    for layer, method in lm.methods.items():
        if method.name != "maddness":
            continue
        # Held-out tokens: other ids than the calibration's.
        held = np.random.default_rng(len(lm.calibration_tokens)).integers(
            0, vocab_size(plan.model), 64).tolist()
        log(f"MADDNESS of layer {layer}'s projections alone, on 64 held-out "
            "tokens")
        print(f"maddness    layer {layer}, error of each product alone on "
              "held-out tokens: " + ", ".join(
                  f"{name} {e:.2f}" for name, _, _, e in projection_errors(
                      plan, layer, lm.calibration_tokens, held,
                      method.codebooks)))


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
                                            llama.initial_state(),
                                            feed=llama.feed)
    print(f"llama.cpp   load {load_s:.2f} s, prefill "
          f"{len(prompt) / max(prefill_s, 1e-9):.2f} tokens/s, decode "
          f"{(args.tokens - 1) / max(decode_s, 1e-9):.2f} tokens/s, tokens "
          f"{'identical' if theirs == ours else 'differ'} (its BitNet graph "
          "computes the FFN with SiLU, per-256 activation scales)")


if __name__ == "__main__":
    main()
