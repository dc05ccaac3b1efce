"""Ahead-of-time compilation of MLIR with mmfree-opt into a shared object,
called through its C interface with NumPy arrays (as a C/C++ program would:
no JIT, results malloc'ed by the compiled code)."""

import ctypes
import functools
import os
import re
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from .packing import packed_arguments

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("MMFREE_BUILD", ROOT / "build"))
LLVM_BIN = Path(os.environ.get("LLVM_TOOLS_DIR", "/usr/lib/llvm-22/bin"))
LLVM_LIB = LLVM_BIN.parent / "lib"


def mmfree_opt(text, *args):
    """Runs mmfree-opt on `text` with `args`; returns (output, stderr)."""
    done = subprocess.run([str(BUILD / "bin" / "mmfree-opt"), "-", *args],
                          input=text, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError("mmfree-opt " + " ".join(args) + " failed:\n" +
                           done.stderr[-4000:])
    return done.stdout, done.stderr


_CTYPES = {np.float32: ctypes.c_float, np.float16: ctypes.c_uint16,
           np.int64: ctypes.c_int64,
           np.int32: ctypes.c_int32, np.int8: ctypes.c_int8,
           np.uint8: ctypes.c_uint8}


@functools.lru_cache(maxsize=None)
def _descriptor_type(rank, elt):
    """MLIR's ranked memref descriptor: allocated and aligned pointers,
    offset, sizes, strides."""
    fields = [("allocated", ctypes.POINTER(elt)), ("aligned", ctypes.POINTER(elt)),
              ("offset", ctypes.c_int64)]
    if rank:
        fields += [("sizes", ctypes.c_int64 * rank),
                   ("strides", ctypes.c_int64 * rank)]
    return type(f"MemRef{rank}", (ctypes.Structure,), {"_fields_": fields})


@functools.lru_cache(maxsize=None)
def _results_type(types):
    """The struct of several result descriptors. Types are made once: a
    ctypes type per call left the garbage collector ~9% of a decode."""
    return type("Results", (ctypes.Structure,), {
        "_fields_": [(f"r{i}", t) for i, t in enumerate(types)]})


def _descriptor(array):
    elt = _CTYPES[array.dtype.type]
    desc = _descriptor_type(array.ndim, elt)()
    ptr = array.ctypes.data_as(ctypes.POINTER(elt))
    desc.allocated, desc.aligned, desc.offset = ptr, ptr, 0
    for d in range(array.ndim):
        desc.sizes[d] = array.shape[d]
        desc.strides[d] = array.strides[d] // array.itemsize
    return desc


class Bound:
    """Descriptors made once for arrays passed on every call (holding the
    arrays they point into)."""

    def __init__(self, descriptors, addresses, arrays):
        self.descriptors, self.addresses = descriptors, addresses
        self.arrays = arrays


class Library:
    """A compiled module; `call` runs one of its functions."""

    def __init__(self, path, out_params=False):
        self.path = path
        self.lib = ctypes.CDLL(str(path))
        self.lib.free.argtypes = [ctypes.c_void_p]
        # Compiled with mmfree-cpu-pipeline{out-params}: results are
        # caller-allocated trailing arguments, nothing to copy out or free.
        self.out_params = out_params

    def call(self, name, args, result_shape, result_dtype=np.float32):
        """Calls `name` (one ranked tensor result) on the NumPy `args`."""
        return self.call_results(name, args, [(result_shape, result_dtype)])[0]

    def bind(self, arrays):
        """Descriptors of arrays passed on every call (weights), made once
        for call_results' `bound`; the arrays must stay alive."""
        arrays = [np.ascontiguousarray(a) for a in arrays]
        return Bound([ctypes.byref(_descriptor(a)) for a in arrays],
                     {a.ctypes.data for a in arrays}, arrays)

    def call_results(self, name, args, results, bound=None):
        """Calls `name` on the NumPy `args` (then the `bound` arrays, from
        `bind`); `results` lists the (shape, dtype) of its ranked tensor
        results. Several results come back through one struct of
        descriptors (MLIR's C interface)."""
        args = [np.ascontiguousarray(a) for a in args]
        descs = [ctypes.byref(_descriptor(a)) for a in args]
        bound = bound or Bound([], set(), [])
        fn = getattr(self.lib, "_mlir_ciface_" + name)
        fn.restype = None
        if self.out_params:
            # Fresh arrays: a result may be the next call's argument.
            arrays = [np.empty(shape, dtype=dt) for shape, dt in results]
            fn(*descs, *bound.descriptors,
               *[ctypes.byref(_descriptor(a)) for a in arrays])
            return arrays
        types = [_descriptor_type(len(shape), _CTYPES[np.dtype(dt).type])
                 for shape, dt in results]
        if len(types) == 1:
            out = types[0]()
            outs = [out]
        else:
            out = _results_type(tuple(types))()
            outs = [getattr(out, f"r{i}") for i in range(len(types))]
        fn(ctypes.byref(out), *descs, *bound.descriptors)
        arrays = [self._copy_out(d, shape, np.dtype(dt))
                  for d, (shape, dt) in zip(outs, results)]
        # Results that alias another (or an argument) are freed once.
        freed = {a.ctypes.data for a in args} | bound.addresses
        for d in outs:
            ptr = ctypes.cast(d.allocated, ctypes.c_void_p).value
            if ptr and ptr not in freed:
                freed.add(ptr)
                self.lib.free(ptr)
        return arrays

    @staticmethod
    def _copy_out(result, shape, dtype):
        elt = _CTYPES[dtype.type]
        out = np.empty(shape, dtype=dtype)
        if out.size:
            strides = [result.strides[d] for d in range(len(shape))]
            extent = 1 + sum((n - 1) * st for n, st in zip(shape, strides))
            base = ctypes.cast(result.aligned, ctypes.c_void_p).value + \
                result.offset * out.itemsize
            flat = np.ctypeslib.as_array(
                ctypes.cast(base, ctypes.POINTER(elt)), shape=(extent,))
            out[...] = np.lib.stride_tricks.as_strided(
                flat, shape=shape, strides=[st * out.itemsize for st in strides])
        return out


def compile_module(text, rewrite=(), pipeline="mmfree-cpu-pipeline=target=host",
                   workdir=None, name="module", debug=False):
    """Compiles `text` after the passes `rewrite` (mmfree-opt flags) into a
    shared object `name`.so; returns (Library, remarks printed by the
    rewrites). With `debug`, the object carries line tables from the
    locations in `text` (a profile then names the source lines)."""
    workdir = Path(workdir or tempfile.mkdtemp(prefix="mmfree-"))
    remarks = ""
    keep = ["--mlir-print-debuginfo"] if debug else []
    if rewrite:
        text, remarks = mmfree_opt(text, *rewrite, *keep)
    lowered, more = mmfree_opt(text, "--llvm-request-c-wrappers",
                               "--" + pipeline, *keep)
    if debug:
        # The upstream pass crashes (LLVM 22) on globals whose location is a
        # call site: theirs (constants, messages) are dropped first.
        lowered = re.sub(r"(llvm\.mlir\.global .*) loc\(#loc\d+\)$",
                         r"\1 loc(unknown)", lowered, flags=re.M)
        lowered, _ = mmfree_opt(lowered, *keep,
                                "--ensure-debug-info-scope-on-llvm-func")
    remarks += more
    ll = subprocess.run([str(LLVM_BIN / "mlir-translate"), "--mlir-to-llvmir"],
                        input=lowered, capture_output=True, text=True)
    if ll.returncode != 0:
        raise RuntimeError("mlir-translate failed:\n" + ll.stderr[-4000:])
    (workdir / "module.ll").write_text(ll.stdout)
    so = workdir / f"{name}.so"
    subprocess.run([str(LLVM_BIN / "clang"), "-O2", "-march=native", "-shared",
                    *(["-g"] if debug else []),
                    "-fPIC", "-Wno-override-module", "-o", str(so),
                    str(workdir / "module.ll"), f"-L{LLVM_LIB}",
                    "-lmlir_c_runner_utils", "-fopenmp",
                    f"-Wl,-rpath,{LLVM_LIB}"],
                   check=True)
    lib = Library(so, out_params=re.search(r"\bout-params\b(?!=(0|false))",
                                           pipeline)
                  is not None)
    lib.text = text  # the module after the rewrites (its signature)
    # Arguments to pack at load time (packed-arguments), by function.
    lib.packed = {name: packed_arguments(text, name)
                  for name in re.findall(r"func\.func @([\w$.]+)", text)}
    return lib, remarks
