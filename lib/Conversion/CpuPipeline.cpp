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
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

static constexpr const char *kCpuPipeline =
    "mmfree-lower-to-vector,"
    "mmfree-lower-to-linalg,"
    "func.func(convert-elementwise-to-linalg),"
    "mmfree-vectorize-matmul,"
    "canonicalize,"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    "buffer-deallocation-pipeline,"
    "convert-bufferization-to-memref,"
    "convert-linalg-to-loops,"
    "scf-forall-to-for,"
    "convert-vector-to-scf,"
    "expand-strided-metadata,"
    "lower-affine,"
    "convert-scf-to-cf,"
    "convert-vector-to-llvm{vector-contract-lowering=outerproduct},"
    "finalize-memref-to-llvm,"
    "convert-math-to-llvm,"
    "convert-arith-to-llvm,"
    "convert-index-to-llvm,"
    "convert-func-to-llvm,"
    "convert-cf-to-llvm,"
    "convert-ub-to-llvm,"
    "reconcile-unrealized-casts";

void mmfree::registerCpuPipeline() {
  PassPipelineRegistration<>(
      "mmfree-cpu-pipeline",
      "Lower mmfree and linalg on tensors to the LLVM dialect: the mmfree "
      "vector kernels, f32 matmuls tiled and vectorized, everything else "
      "through linalg loops, bufferized with One-Shot Bufferize",
      [](OpPassManager &pm) {
        if (failed(parsePassPipeline(kCpuPipeline, pm)))
          llvm::report_fatal_error("mmfree-cpu-pipeline: bad pipeline text");
      });
}
