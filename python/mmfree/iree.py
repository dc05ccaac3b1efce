"""mmfree's portable output in IREE: the command-line recipe (iree-compile,
iree-run-module) an IREE user runs after mmfree-opt, wrapped for tests."""

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

BIN = Path(sys.executable).parent


def compile_vmfb(portable_mlir, workdir=None, cpu="host"):
    """iree-compile for the local CPU (llvm-cpu) of linalg-on-tensors text;
    returns the .vmfb path."""
    workdir = Path(workdir or tempfile.mkdtemp(prefix="mmfree-iree-"))
    src, vmfb = workdir / "portable.mlir", workdir / "module.vmfb"
    src.write_text(portable_mlir)
    subprocess.run([str(BIN / "iree-compile"), str(src),
                    "--iree-hal-target-device=local",
                    "--iree-hal-local-target-device-backends=llvm-cpu",
                    f"--iree-llvmcpu-target-cpu={cpu}", "-o", str(vmfb)],
                   check=True)
    return vmfb


def run_module(vmfb, function, args):
    """iree-run-module on NumPy `args` (through .npy files); one result."""
    workdir = Path(vmfb).parent
    cmd = [str(BIN / "iree-run-module"), f"--module={vmfb}", "--device=local-task",
           f"--function={function}"]
    for i, a in enumerate(args):
        path = workdir / f"arg{i}.npy"
        np.save(path, a)
        cmd.append(f"--input=@{path}")
    out = workdir / "result.npy"
    cmd.append(f"--output=@{out}")
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return np.load(out)
