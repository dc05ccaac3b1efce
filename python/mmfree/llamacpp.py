"""llama.cpp (the llama-cpp-python build) running a GGUF model one token per
call, for comparison with a compiled model: same file, same machine, same
run. Its BitNet graph (arch `bitnet`) computes the FFN with SiLU, and its
TQ2_0 / TQ1_0 kernels quantize activations to int8 per block of 256 (Q8_K),
not per token: logits match transformers' BitNet with hidden_act="silu" when
every contraction's K is 256."""

import ctypes

import numpy as np


class LlamaCppError(RuntimeError):
    pass


def _quiet(level, text, user_data):
    pass


class LlamaCpp:
    """`step(tokens [1], state) -> (logits [1, vocab], state)` of a GGUF
    model in llama.cpp: KV cache of `max_len` tokens in f32 (llama.cpp's
    default, f16, would round K and V), `threads` threads."""

    def __init__(self, path, threads=1, max_len=64):
        import llama_cpp as lib
        from gguf import GGMLQuantizationType as Q
        from gguf import GGUFReader
        self.lib = lib
        try:
            tensors = GGUFReader(str(path)).tensors
        except Exception as e:  # the reader raises ValueError, struct errors
            raise LlamaCppError(f"{path}: llama.cpp could not load the model "
                                f"({e})")
        # ggml has no I8 matmul (write_gguf's form when K is not a multiple
        # of 256): it would abort the process.
        kinds = (Q.F32, Q.F16, Q.TQ1_0, Q.TQ2_0)
        bad = next((t for t in tensors if Q(t.tensor_type) not in kinds), None)
        if bad is not None:
            raise LlamaCppError(f"{path}: llama.cpp cannot multiply "
                                f"'{bad.name}' ({Q(bad.tensor_type).name}; "
                                "its ternary kernels need K a multiple of "
                                "256)")
        if any(t.name == "output.weight" for t in tensors):
            raise LlamaCppError(f"{path}: llama.cpp's BitNet graph ties the "
                                "head to the embedding; this file has an "
                                "untied 'output.weight'")
        # Keep the callback alive: llama.cpp calls it from C.
        self._log = lib.llama_log_callback(_quiet)
        lib.llama_log_set(self._log, ctypes.c_void_p(0))
        lib.llama_backend_init()
        self.model = lib.llama_model_load_from_file(
            str(path).encode(), lib.llama_model_default_params())
        if not self.model:
            raise LlamaCppError(f"{path}: llama.cpp could not load the model")
        params = lib.llama_context_default_params()
        params.n_ctx = params.n_batch = max_len
        params.n_threads = params.n_threads_batch = threads
        params.type_k = params.type_v = 0  # GGML_TYPE_F32
        params.flash_attn_type = lib.LLAMA_FLASH_ATTN_TYPE_DISABLED
        self.ctx = lib.llama_init_from_model(self.model, params)
        if not self.ctx:
            raise LlamaCppError(f"{path}: llama.cpp could not make a context")
        self.vocab = lib.llama_vocab_n_tokens(
            lib.llama_model_get_vocab(self.model))

    def initial_state(self):
        self.lib.llama_memory_clear(self.lib.llama_get_memory(self.ctx), True)
        return None

    def feed(self, tokens, state):
        """The prompt tokens in one batch, as llama.cpp prefills (logits of
        the last one only, not returned)."""
        batch = (self.lib.llama_token * len(tokens))(*map(int, tokens))
        if self.lib.llama_decode(
                self.ctx, self.lib.llama_batch_get_one(batch, len(tokens))):
            raise LlamaCppError("llama_decode failed")
        return state

    def step(self, tokens, state):
        token = (self.lib.llama_token * 1)(int(tokens[0]))
        if self.lib.llama_decode(self.ctx,
                                 self.lib.llama_batch_get_one(token, 1)):
            raise LlamaCppError("llama_decode failed")
        logits = self.lib.llama_get_logits_ith(self.ctx, -1)
        return np.ctypeslib.as_array(logits, shape=(1, self.vocab)).copy(), \
            state

    def close(self):
        if getattr(self, "ctx", None):
            self.lib.llama_free(self.ctx)
            self.lib.llama_model_free(self.model)
            self.ctx = self.model = None

    def __del__(self):
        self.close()
