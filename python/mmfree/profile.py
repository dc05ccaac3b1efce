"""Where a compiled model's decode time goes, by the PyTorch source of the
compiled code: `perf` samples this process while it decodes, and the
compiled parts carry line tables made from the exported ops' Python file and
line (LayeredLM(debug=True)). Each sample in a layer is charged to the
Python function that line is in, and functions to parts of the model."""

import ast
import functools
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections import Counter

# Parts of a layer, by the names of the functions (and their classes) the
# compiled code came from; the first match wins.
PARTS = [
    ("ternary BitLinear (quantize, contract, dequantize)",
     re.compile(r"BitLinear|ActQuant|WeightQuant|activation_quant|"
                r"weight_quant|unpack_weights|post_quant")),
    ("attention (RoPE, cache, scores, softmax, P V)",
     re.compile(r"Attention|attention|rotary|rotate_half|_RowCache|_Cache|"
                r"_mask|repeat_kv")),
    ("norms", re.compile(r"RMSNorm|Norm")),
]
OTHER = "other layer code (activations, gates, residuals)"


class PerfError(RuntimeError):
    pass


class Sampler:
    """`perf record` of this process while in the `with` block."""

    def __init__(self, frequency=1999):
        self.frequency = frequency

    def __enter__(self):
        if not shutil.which("perf"):
            raise PerfError("perf is not installed (Debian: linux-perf)")
        fd, self.data = tempfile.mkstemp(suffix=".perf")
        os.close(fd)
        self.perf = subprocess.Popen(
            ["perf", "record", "-q", "-F", str(self.frequency), "-p",
             str(os.getpid()), "-o", self.data],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(0.5)  # perf attaches
        if self.perf.poll() is not None:
            raise PerfError("perf record failed: " + self.perf.stderr.read())
        return self

    def __exit__(self, *exc):
        self.perf.send_signal(signal.SIGINT)
        self.perf.wait()

    def _report(self, sort, dsos=None):
        """[(percent, key)] of `perf report --sort sort`."""
        args = ["perf", "report", "-i", self.data, "--stdio", "-q",
                "--sort", sort, "--full-source-path"]
        if dsos:
            args += ["--dsos", ",".join(dsos)]
        out = subprocess.run(args, capture_output=True, text=True).stdout
        rows = []
        for line in out.splitlines():
            match = re.match(r"\s*([\d.]+)%\s+(.*\S)", line)
            if match:
                rows.append((float(match.group(1)), match.group(2)))
        return rows

    def split(self, parts):
        """{part: percent of all samples}: `parts` maps the compiled objects'
        names (embedding.so, head.so) to a part; objects named layer* are
        split by source function; everything else is the runtime."""
        split = Counter()
        layers = []
        for percent, dso in self._report("dso"):
            if dso in parts:
                split[parts[dso]] += percent
            elif dso.startswith("layer"):
                layers.append((dso, percent))
            else:
                split["runtime (Python, ctypes, copies)"] += percent
        if layers:
            total = sum(p for _, p in layers)
            lines = self._report("srcline", [d for d, _ in layers])
            seen = sum(p for p, _ in lines) or 1.0
            for percent, srcline in lines:
                split[layer_part(srcline)] += percent * total / seen
        return split

    def close(self):
        os.unlink(self.data)


def layer_part(srcline):
    """The part of PARTS a `file:line` of the layer belongs to."""
    path, _, line = srcline.rpartition(":")
    name = _function_at(path, int(line)) if line.isdigit() else ""
    for part, pattern in PARTS:
        if pattern.search(name):
            return part
    return OTHER


@functools.lru_cache(maxsize=None)
def _functions(path):
    """[(first line, last line, Class.function)] of the file at `path`."""
    try:
        tree = ast.parse(open(path).read())
    except (OSError, SyntaxError):
        return []
    found = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.ClassDef)):
                name = prefix + child.name
                if isinstance(child, ast.FunctionDef):
                    found.append((child.lineno, child.end_lineno, name))
                visit(child, name + ".")
    visit(tree, "")
    return found


def _function_at(path, line):
    """The innermost function of `path` holding `line` ("" if none)."""
    best = ""
    span = None
    for first, last, name in _functions(path):
        if first <= line <= last and (span is None or last - first < span):
            best, span = name, last - first
    return best
