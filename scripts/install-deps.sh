#!/usr/bin/env bash
# Installs every Debian package mmfree needs. Idempotent: skips apt when all
# packages are already present.
set -euo pipefail
pkgs=(
  cmake ninja-build ccache clang-format
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22
  libeigen3-dev libopenblas-dev libgtest-dev libbenchmark-dev
  python3-numpy python3-sklearn gnuplot-nox libomp-22-dev
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
