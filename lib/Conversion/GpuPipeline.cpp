//===- GpuPipeline.cpp - mmfree-gpu-pipeline ------------------------------===//
//
// Tensors with mmfree ops down to gpu.binary: the mmfree kernels of
// mmfree-gpu-tile, everything else through linalg loops on the host,
// One-Shot Bufferize, the upstream forall-to-GPU mapping (mmfree-gpu-map)
// and the upstream NVVM lowering and serialization. The NVVM part is
// gpu-lower-to-nvvm-pipeline's with symbol-dce after outlining, which drops
// the host's copies of the shared-memory globals that the kernels took.
//
//===----------------------------------------------------------------------===//

#include "mmfree/Conversion/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace {

struct GpuPipelineOptions : PassPipelineOptions<GpuPipelineOptions> {
  Option<std::string> chip{*this, "chip", llvm::cl::desc("Target chip"),
                           llvm::cl::init("sm_80")};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("Output: isa (PTX text) or bin (cubin, needs ptxas)"),
      llvm::cl::init("isa")};
  Option<std::string> toolkit{
      *this, "toolkit", llvm::cl::desc("CUDA toolkit directory (bin/ptxas)"),
      llvm::cl::init("")};
  Option<bool> barePointers{
      *this, "bare-pointers",
      llvm::cl::desc("Pass kernel buffers as bare pointers (static shapes)"),
      llvm::cl::init(true)};
};

void buildGpuPipeline(OpPassManager &pm, const GpuPipelineOptions &opts) {
  std::string bare = opts.barePointers ? "true" : "false";
  llvm::StringRef features = mmfree::gpuPtxFeatures(opts.chip);
  std::string text = llvm::formatv(
      "mmfree-gpu-check-target{{chip={0} format={1} toolkit={2}},"
      "mmfree-gpu-tile,"
      "mmfree-lower-to-linalg,"
      "func.func(convert-elementwise-to-linalg),"
      "one-shot-bufferize{{bufferize-function-boundaries "
      "function-boundary-type-conversion=identity-layout-map},"
      "buffer-deallocation-pipeline,"
      "convert-bufferization-to-memref,"
      "convert-linalg-to-loops,"
      "mmfree-gpu-map,"
      "convert-nvgpu-to-nvvm,"
      "gpu-launch-sink-index-computations,"
      "gpu-kernel-outlining,"
      "symbol-dce,"
      "convert-vector-to-scf,"
      "convert-scf-to-cf,"
      "convert-nvvm-to-llvm,"
      "convert-func-to-llvm,"
      "expand-strided-metadata,"
      "nvvm-attach-target{{chip={0} features={3} O=3},"
      "lower-affine,"
      "convert-arith-to-llvm,"
      "convert-index-to-llvm{{index-bitwidth=64},"
      "canonicalize,cse,"
      "gpu.module(convert-gpu-to-nvvm{{use-bare-ptr-memref-call-conv={4}},"
      "canonicalize,cse,reconcile-unrealized-casts),"
      "gpu-to-llvm{{use-bare-pointers-for-kernels={4}},"
      "gpu-module-to-binary{{format={1} toolkit={2}},"
      "convert-math-to-llvm,"
      "canonicalize,cse,"
      "reconcile-unrealized-casts",
      opts.chip.getValue(), opts.format.getValue(), opts.toolkit.getValue(),
      features.empty() ? "+ptx80" : features, bare);
  if (failed(parsePassPipeline(text, pm)))
    llvm::report_fatal_error("mmfree-gpu-pipeline: bad pipeline text");
}

} // namespace

void mmfree::registerGpuPipeline() {
  PassPipelineRegistration<GpuPipelineOptions>(
      "mmfree-gpu-pipeline",
      "Lower mmfree on tensors to gpu.binary (NVVM): the mmfree GPU kernels "
      "mapped to blocks and threads, PTX or cubin for the chosen chip",
      buildGpuPipeline);
}
