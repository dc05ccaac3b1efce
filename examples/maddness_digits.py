#!/usr/bin/env python3
"""MADDNESS on real data: scikit-learn's bundled handwritten digits.

Trains a small MLP (64 -> 64 ReLU -> 10) on 1,200 digits, then compiles its
last layer through mmfree (mmfree-matmul-to-lut, the calibration rows being
the hidden activations of the training digits) and through the plain f32
path, runs both under mlir-runner on the 597 held-out digits, and prints the
relative error of the logits and the classification accuracy of each.

usage: maddness_digits.py BUILD_DIR [CODEBOOKS ...]
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
from sklearn.datasets import load_digits
from sklearn.neural_network import MLPClassifier

build = sys.argv[1]
books = [int(c) for c in sys.argv[2:]] or [4, 8, 16, 32]
digits = load_digits()
x = (digits.data / 16.0).astype(np.float32)
y = digits.target
train, test = slice(0, 1200), slice(1200, None)
mlp = MLPClassifier(hidden_layer_sizes=(64,), max_iter=600, random_state=0)
mlp.fit(x[train], y[train])
w1, b1 = mlp.coefs_[0].astype(np.float32), mlp.intercepts_[0].astype(np.float32)
w2, b2 = mlp.coefs_[1].astype(np.float32), mlp.intercepts_[1].astype(np.float32)
hidden = lambda v: np.maximum(v @ w1 + b1, 0).astype(np.float32)
h_train, h_test = hidden(x[train]), hidden(x[test])
n, k, m = h_test.shape[0], w2.shape[0], w2.shape[1]


def dense(a):
    return "dense<[" + ", ".join(
        "[" + ", ".join(f"{v:.9e}" for v in row) + "]" for row in a) + "]>"


def module():
    """The last layer, logits = h W2 + b2, as torch-mlir emits it, with a
    main that prints the logits of the held-out digits."""
    ht, lt = f"tensor<{n}x{k}xf32>", f"tensor<{n}x{m}xf32>"
    bias = np.broadcast_to(b2, (n, m))
    return f"""
func.func @last_layer(%h: {ht}) -> {lt} {{
  %w = arith.constant {dense(w2)} : tensor<{k}x{m}xf32>
  %b = arith.constant {dense(bias)} : {lt}
  %y = linalg.matmul ins(%h, %w : {ht}, tensor<{k}x{m}xf32>) outs(%b : {lt}) -> {lt}
  return %y : {lt}
}}
func.func private @printMemrefF32(memref<*xf32>) attributes {{llvm.emit_c_interface}}
func.func @main() {{
  %h = arith.constant {dense(h_test)} : {ht}
  %y = call @last_layer(%h) : ({ht}) -> {lt}
  %ym = bufferization.to_buffer %y read_only : {lt} to memref<{n}x{m}xf32>
  %yu = memref.cast %ym : memref<{n}x{m}xf32> to memref<*xf32>
  call @printMemrefF32(%yu) : (memref<*xf32>) -> ()
  return
}}
"""


def run(passes, path):
    opt = subprocess.run([os.path.join(build, "bin", "mmfree-opt"), path] +
                         passes + ["--mmfree-cpu-pipeline=target=host"],
                         check=True, capture_output=True, text=True).stdout
    lib = subprocess.run(["llvm-config-22", "--libdir"], capture_output=True,
                         text=True).stdout.strip() or "/usr/lib/llvm-22/lib"
    out = subprocess.run(
        ["/usr/lib/llvm-22/bin/mlir-runner", "-e", "main",
         "-entry-point-result=void",
         f"-shared-libs={lib}/libmlir_c_runner_utils.so,{lib}/libmlir_runner_utils.so"],
        input=opt, check=True, capture_output=True, text=True).stdout
    body = out[out.index("data =") + len("data ="):]
    values = [float(v) for v in body.replace("[", " ").replace("]", " ")
              .replace(",", " ").split()]
    return np.array(values, dtype=np.float32).reshape(n, m)


with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "last_layer.mlir")
    with open(path, "w") as f:
        f.write(module())
    calib = os.path.join(tmp, "calib.npy")
    np.save(calib, h_train)
    exact = run([], path)
    truth = y[test]
    print(f"digits MLP 64-64-10, last layer ({k} x {m}) on {n} held-out digits")
    print("| last layer | rel. error of the logits | accuracy |")
    print("|---|---|---|")
    print(f"| f32 (mmfree-cpu-pipeline) | 0 | {np.mean(exact.argmax(1) == truth):.4f} |")
    for acc in ["exact", "average"]:
        for c in books:
            got = run([f"--mmfree-matmul-to-lut=calibration={calib} "
                       f"codebooks={c} accumulation={acc}"], path)
            err = np.linalg.norm(got - exact) / np.linalg.norm(exact)
            print(f"| MADDNESS, {c} codebooks, {acc} | {err:.4f} | "
                  f"{np.mean(got.argmax(1) == truth):.4f} |")
