"""Ahead-of-time compilation of MLIR with mmfree-opt into a shared object,
called through its C interface with NumPy arrays (as a C/C++ program would:
no JIT, results malloc'ed by the compiled code)."""

import ctypes
import os
import subprocess
import tempfile
from pathlib import Path

import numpy as np

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


_CTYPES = {np.float32: ctypes.c_float, np.int64: ctypes.c_int64,
           np.int32: ctypes.c_int32, np.int8: ctypes.c_int8}


def _descriptor_type(rank, elt):
    """MLIR's ranked memref descriptor: allocated and aligned pointers,
    offset, sizes, strides."""
    fields = [("allocated", ctypes.POINTER(elt)), ("aligned", ctypes.POINTER(elt)),
              ("offset", ctypes.c_int64)]
    if rank:
        fields += [("sizes", ctypes.c_int64 * rank),
                   ("strides", ctypes.c_int64 * rank)]
    return type(f"MemRef{rank}", (ctypes.Structure,), {"_fields_": fields})


def _descriptor(array):
    elt = _CTYPES[array.dtype.type]
    desc = _descriptor_type(array.ndim, elt)()
    ptr = array.ctypes.data_as(ctypes.POINTER(elt))
    desc.allocated, desc.aligned, desc.offset = ptr, ptr, 0
    for d in range(array.ndim):
        desc.sizes[d] = array.shape[d]
        desc.strides[d] = array.strides[d] // array.itemsize
    return desc


class Library:
    """A compiled module; `call` runs one of its functions."""

    def __init__(self, path):
        self.path = path
        self.lib = ctypes.CDLL(str(path))
        self.lib.free.argtypes = [ctypes.c_void_p]

    def call(self, name, args, result_shape, result_dtype=np.float32):
        """Calls `name` (one ranked tensor result) on the NumPy `args`."""
        args = [np.ascontiguousarray(a) for a in args]
        descs = [_descriptor(a) for a in args]
        elt = _CTYPES[np.dtype(result_dtype).type]
        result = _descriptor_type(len(result_shape), elt)()
        fn = getattr(self.lib, "_mlir_ciface_" + name)
        fn.restype = None
        fn(ctypes.byref(result), *[ctypes.byref(d) for d in descs])
        out = np.empty(result_shape, dtype=result_dtype)
        if out.size:
            strides = [result.strides[d] for d in range(len(result_shape))]
            extent = 1 + sum((n - 1) * st for n, st in zip(result_shape, strides))
            base = ctypes.cast(result.aligned, ctypes.c_void_p).value + \
                result.offset * out.itemsize
            flat = np.ctypeslib.as_array(
                ctypes.cast(base, ctypes.POINTER(elt)), shape=(extent,))
            out[...] = np.lib.stride_tricks.as_strided(
                flat, shape=result_shape,
                strides=[st * out.itemsize for st in strides])
        self.lib.free(ctypes.cast(result.allocated, ctypes.c_void_p))
        return out


def compile_module(text, rewrite=(), pipeline="mmfree-cpu-pipeline=target=host",
                   workdir=None):
    """Compiles `text` after the passes `rewrite` (mmfree-opt flags) into a
    shared object; returns (Library, remarks printed by the rewrites)."""
    workdir = Path(workdir or tempfile.mkdtemp(prefix="mmfree-"))
    lowered, remarks = mmfree_opt(text, *rewrite, "--llvm-request-c-wrappers",
                                  "--" + pipeline)
    ll = subprocess.run([str(LLVM_BIN / "mlir-translate"), "--mlir-to-llvmir"],
                        input=lowered, capture_output=True, text=True)
    if ll.returncode != 0:
        raise RuntimeError("mlir-translate failed:\n" + ll.stderr[-4000:])
    (workdir / "module.ll").write_text(ll.stdout)
    so = workdir / "module.so"
    subprocess.run([str(LLVM_BIN / "clang"), "-O2", "-march=native", "-shared",
                    "-fPIC", "-Wno-override-module", "-o", str(so),
                    str(workdir / "module.ll"), f"-L{LLVM_LIB}",
                    "-lmlir_c_runner_utils", f"-Wl,-rpath,{LLVM_LIB}"],
                   check=True)
    return Library(so), remarks
