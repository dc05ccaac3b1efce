//===- CpuPipeline.cpp - mmfree-cpu-pipeline ------------------------------===//
//
// Tensors with mmfree and linalg ops down to the LLVM dialect: the mmfree
// kernels of mmfree-lower-to-vector, f32 matmuls tiled and vectorized, the
// rest through linalg generics and loops, then One-Shot Bufferize and the
// upstream conversions to LLVM.
//
//===----------------------------------------------------------------------===//

#include "mmfree/Conversion/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

static constexpr const char *kCpuPipeline =
    "mmfree-fold-constant-globals,"
    // Math ops convert-math-to-llvm cannot take on vectors, as arith/exp.
    "func.func(math-expand-ops{{ops=fpowi,tanh}),"
    "mmfree-lower-to-vector{{lut-shuffle={0} ternary-dots={1} "
    "ternary-lookup={3} threads={2}},"
    "mmfree-lower-to-linalg,"
    "func.func(convert-elementwise-to-linalg),"
    "mmfree-vectorize-matmul,"
    "mmfree-vectorize-elementwise,"
    "canonicalize,"
    "one-shot-bufferize{{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    "buffer-deallocation-pipeline,"
    "mmfree-lower-x86-ops,"
    "convert-bufferization-to-memref,"
    "convert-linalg-to-loops,"
    "scf-forall-to-for,"
    "convert-scf-to-openmp,"
    "convert-vector-to-scf,"
    "expand-strided-metadata,"
    "lower-affine,"
    "finalize-memref-to-llvm,"
    "convert-scf-to-cf,"
    // Math ops without an LLVM intrinsic (erf in GELU) become libm calls.
    "convert-math-to-llvm,"
    "convert-math-to-libm,"
    "convert-vector-to-llvm{{vector-contract-lowering=outerproduct "
    "vector-transpose-lowering=shuffle1d},"
    "convert-openmp-to-llvm,"
    "convert-arith-to-llvm,"
    "convert-index-to-llvm,"
    "convert-func-to-llvm,"
    "convert-cf-to-llvm,"
    "convert-ub-to-llvm,"
    "reconcile-unrealized-casts";

namespace {
struct CpuPipelineOptions : PassPipelineOptions<CpuPipelineOptions> {
  Option<std::string> lutShuffle{
      *this, "lut-shuffle",
      llvm::cl::desc("Byte shuffles for MADDNESS lookups: host, avx512bw, "
                     "avx2 or none"),
      llvm::cl::init("host")};
  Option<std::string> ternaryDots{
      *this, "ternary-dots",
      llvm::cl::desc("Byte dot products for the i8 ternary kernel: host, "
                     "avx512vnni, avxvnni or none"),
      llvm::cl::init("host")};
  Option<std::string> ternaryLookup{
      *this, "ternary-lookup",
      llvm::cl::desc("T-MAC-style lookups for the i8 ternary kernel: auto, "
                     "avx512bw, avx2 or none"),
      llvm::cl::init("auto")};
  Option<int64_t> threads{
      *this, "threads",
      llvm::cl::desc("Threads for the ternary and MADDNESS kernels (OpenMP)"),
      llvm::cl::init(1)};
};
} // namespace

void mmfree::registerCpuPipeline() {
  PassPipelineRegistration<CpuPipelineOptions>(
      "mmfree-cpu-pipeline",
      "Lower mmfree and linalg on tensors to the LLVM dialect: the mmfree "
      "vector kernels, f32 matmuls tiled and vectorized, everything else "
      "through linalg loops, bufferized with One-Shot Bufferize",
      [](OpPassManager &pm, const CpuPipelineOptions &options) {
        std::string text = llvm::formatv(
            kCpuPipeline, options.lutShuffle.getValue(),
            options.ternaryDots.getValue(), options.threads.getValue(),
            options.ternaryLookup.getValue());
        if (failed(parsePassPipeline(text, pm)))
          llvm::report_fatal_error("mmfree-cpu-pipeline: bad pipeline text");
      });
}
