#!/usr/bin/env bash
# Installs every Debian package mmfree needs and the Python virtual
# environment .venv. Idempotent: skips apt when all packages are present.
set -euo pipefail
pkgs=(
  cmake ninja-build ccache clang-format-22 clang-tidy-22
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22
  libeigen3-dev libopenblas-dev libgtest-dev libbenchmark-dev
  python3-numpy python3-sklearn gnuplot-nox libomp-22-dev python3-venv
  libclang-rt-22-dev linux-perf libdnnl-dev
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
if [ ${#missing[@]} -ne 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    --no-install-recommends "${missing[@]}"
fi

# The Python side in .venv (pinned in python/requirements.txt). Re-installed
# only when the requirements change; a stamp records the installed set.
venv="$(dirname "$0")/../.venv"
reqs="$(dirname "$0")/../python/requirements.txt"
stamp="$venv/.requirements"
if ! cmp -s "$reqs" "$stamp" 2>/dev/null; then
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  # llama-cpp-python builds llama.cpp from source (~3 min on 2 cores); its
  # multimodal library is not needed.
  CMAKE_ARGS="-DLLAVA_BUILD=OFF" CMAKE_BUILD_PARALLEL_LEVEL=2 \
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$reqs" 2>&1 |
    grep -v "^WARNING: Location" || true
  "$venv/bin/python" -c "import torch, torch_mlir, iree.compiler, iree.runtime, transformers, safetensors, gguf, llama_cpp"
  cp "$reqs" "$stamp"
fi
