//===- mmfree-gpu-launch.cpp - run an mmfree ternary cubin ----------------===//
//
// Loads the cubin that mmfree-gpu-pipeline (format=bin) makes of
// examples/gpu/ternary.mlir, launches its kernel through the CUDA driver
// API on random int8 activations and ternary weights packed by
// lib/Numerics, and compares every accumulator with the reference.
//
// Kernel ABI (bare pointers, checked by test/Integration/GPU/launcher.mlir):
//   ternary_kernel(int8 x[8][4096], uint8 w[4096][64][16], int32 acc[8][4096])
//   grid (1024, 1, 1), block (128, 1, 1)
//
// Exit codes: 0 all equal, 1 a mismatch or CUDA error, 2 bad usage,
// 77 no usable CUDA driver or device (e.g. linked against the stub).
//
//===----------------------------------------------------------------------===//

#include "mmfree/Numerics/Ternary.h"

#include <cuda.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

namespace {

constexpr int64_t kRows = 8, kDepth = 4096, kChannels = 4096;
constexpr unsigned kGrid = 1024, kBlock = 128;

bool ok(CUresult r, const char *what, int &exitCode) {
  if (r == CUDA_SUCCESS)
    return true;
  // The stub library cannot name its own errors.
  const char *name = nullptr, *text = nullptr;
  if (cuGetErrorName(r, &name) != CUDA_SUCCESS)
    name = r == CUDA_ERROR_STUB_LIBRARY ? "CUDA_ERROR_STUB_LIBRARY" : "?";
  if (cuGetErrorString(r, &text) != CUDA_SUCCESS)
    text = "no description";
  std::fprintf(stderr, "mmfree-gpu-launch: %s: CUDA error %d %s (%s)\n", what,
               static_cast<int>(r), name, text);
  bool noDevice = r == CUDA_ERROR_STUB_LIBRARY || r == CUDA_ERROR_NO_DEVICE ||
                  r == CUDA_ERROR_NOT_INITIALIZED ||
                  r == CUDA_ERROR_INVALID_DEVICE;
  if (noDevice)
    std::fprintf(stderr, "mmfree-gpu-launch: skipped, no usable CUDA "
                         "driver or device here\n");
  exitCode = noDevice ? 77 : 1;
  return false;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: mmfree-gpu-launch KERNEL.cubin\n");
    return 2;
  }
  std::ifstream file(argv[1], std::ios::binary);
  std::vector<char> image((std::istreambuf_iterator<char>(file)),
                          std::istreambuf_iterator<char>());
  if (image.empty()) {
    std::fprintf(stderr, "mmfree-gpu-launch: cannot read '%s'\n", argv[1]);
    return 2;
  }

  std::mt19937 rng(7);
  std::vector<int8_t> x(kRows * kDepth), wt(kChannels * kDepth);
  for (int8_t &v : x)
    v = static_cast<int8_t>(std::uniform_int_distribution<int>(-128, 127)(rng));
  for (int8_t &v : wt)
    v = static_cast<int8_t>(std::uniform_int_distribution<int>(-1, 1)(rng));
  std::vector<uint8_t> packed =
      mmfree::numerics::packTernary(wt.data(), kChannels, kDepth);
  std::vector<int64_t> want(kRows * kChannels);
  mmfree::numerics::ternaryAccumulate(x.data(), kRows, kDepth, wt.data(),
                                      kChannels, want.data());

  int rc = 1;
  CUdevice device;
  CUcontext context;
  CUmodule module;
  CUfunction kernel;
  if (!ok(cuInit(0), "cuInit", rc) ||
      !ok(cuDeviceGet(&device, 0), "cuDeviceGet", rc) ||
      !ok(cuCtxCreate(&context, nullptr, 0, device), "cuCtxCreate", rc))
    return rc;
  if (!ok(cuModuleLoadData(&module, image.data()), "cuModuleLoadData", rc) ||
      !ok(cuModuleGetFunction(&kernel, module, "ternary_kernel"),
          "cuModuleGetFunction(ternary_kernel)", rc))
    return rc;

  CUdeviceptr dx, dw, dacc;
  std::vector<int32_t> got(kRows * kChannels);
  if (!ok(cuMemAlloc(&dx, x.size()), "cuMemAlloc", rc) ||
      !ok(cuMemAlloc(&dw, packed.size()), "cuMemAlloc", rc) ||
      !ok(cuMemAlloc(&dacc, got.size() * sizeof(int32_t)), "cuMemAlloc", rc) ||
      !ok(cuMemcpyHtoD(dx, x.data(), x.size()), "cuMemcpyHtoD", rc) ||
      !ok(cuMemcpyHtoD(dw, packed.data(), packed.size()), "cuMemcpyHtoD", rc))
    return rc;
  void *args[] = {&dx, &dw, &dacc};
  if (!ok(cuLaunchKernel(kernel, kGrid, 1, 1, kBlock, 1, 1, 0, nullptr, args,
                         nullptr),
          "cuLaunchKernel", rc) ||
      !ok(cuCtxSynchronize(), "cuCtxSynchronize", rc) ||
      !ok(cuMemcpyDtoH(got.data(), dacc, got.size() * sizeof(int32_t)),
          "cuMemcpyDtoH", rc))
    return rc;

  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i] != want[i]) {
      std::printf("mmfree-gpu-launch: FAIL at (%zu, %zu): %d, expected %lld\n",
                  i / kChannels, i % kChannels, got[i],
                  static_cast<long long>(want[i]));
      return 1;
    }
  }
  std::printf("mmfree-gpu-launch: PASS ternary 8x4096x4096 bit-exact\n");
  cuMemFree(dx);
  cuMemFree(dw);
  cuMemFree(dacc);
  cuModuleUnload(module);
  cuCtxDestroy(context);
  return 0;
}
