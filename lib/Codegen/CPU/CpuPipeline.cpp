//===- CpuPipeline.cpp - mmfree-cpu-pipeline ------------------------------===//
//
// Tensors with mmfree and linalg ops down to the LLVM dialect: the kernels
// mmfree-select-kernels picks for the target, lowered by
// mmfree-lower-to-vector, f32 matmuls tiled and vectorized, the
// rest through linalg generics and loops, then One-Shot Bufferize and the
// upstream conversions to LLVM.
//
//===----------------------------------------------------------------------===//

#include "mmfree/Codegen/Passes.h"
#include "mmfree/Dialect/MMFree/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

/// Scratch up to this size goes on the stack with out-params (the main
/// thread's stack is 8 MiB by default; OpenMP workers' 4 MiB).
constexpr unsigned kMaxStackScratchBytes = 256 * 1024;

void mmfree::buildCpuPipeline(OpPassManager &pm,
                              const CpuPipelineOptions &options) {
  pm.addPass(createCheckWeights());
  pm.addPass(createFoldConstantGlobals());
  // Math ops convert-math-to-llvm cannot take on vectors, as arith/exp.
  math::MathExpandOpsPassOptions expand;
  expand.opMnemonics = {"fpowi", "tanh"};
  pm.addNestedPass<func::FuncOp>(math::createMathExpandOpsPass(expand));
  SelectKernelsOptions kernels;
  kernels.target = options.target;
  kernels.threads = options.threads;
  kernels.ternaryKernel = options.ternaryKernel;
  kernels.lutKernel = options.lutKernel;
  pm.addPass(createSelectKernels(kernels));
  pm.addPass(createLowerToVector());
  pm.addPass(createLowerToLinalg());
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  VectorizeMatmulOptions matmuls;
  matmuls.threads = options.threads;
  matmuls.target = options.target;
  pm.addPass(createVectorizeMatmul(matmuls));
  pm.addPass(createVectorizeElementwise());
  pm.addPass(createCanonicalizerPass());
  // Accumulator tiles read and written at every step of a reduction loop
  // (the GEMV's K) become loop-carried vectors, held in registers.
  pm.addPass(createLoopInvariantSubsetHoistingPass());

  pm.addPass(createSplitEmptyTensors());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  if (options.outParams) {
    // The result buffers become arguments, and the allocations that fill
    // them are replaced by those arguments (no copy). Canonicalization first
    // folds the loops that only carry the result buffer (and the copies of
    // a buffer onto itself) so that the returned value is the allocation.
    pm.addPass(createCSEPass());
    pm.addPass(createCanonicalizerPass());
    bufferization::BufferResultsToOutParamsPassOptions outParams;
    outParams.hoistStaticAllocs = true;
    outParams.hoistDynamicAllocs = true;
    outParams.modifyPublicFunctions = true;
    pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
    // Static scratch (row scales, accumulators of small layers) on the
    // stack instead of malloc/free on every call.
    bufferization::PromoteBuffersToStackPassOptions stack;
    stack.maxAllocSizeInBytes = kMaxStackScratchBytes;
    stack.maxRankOfAllocatedMemRef = 4;
    pm.addNestedPass<func::FuncOp>(
        bufferization::createPromoteBuffersToStackPass(stack));
  }
  bufferization::buildBufferDeallocationPipeline(
      pm, bufferization::BufferDeallocationPipelineOptions());
  pm.addPass(createLowerX86Ops());
  pm.addPass(createConvertBufferizationToMemRefPass());

  pm.addPass(createConvertLinalgToLoopsPass());
  // With threads, foralls (the output head's rows) run in parallel.
  if (options.threads > 1)
    pm.addPass(createForallToParallelLoopPass());
  pm.addPass(createForallToForLoopPass());
  pm.addPass(createConvertSCFToOpenMPPass());
  // n-D transfers unrolled to 1-D ones: the default lowers them through
  // stack buffers allocated inside the tile loops.
  VectorTransferToSCFOptions transfers;
  transfers.enableFullUnroll();
  pm.addPass(createConvertVectorToSCFPass(transfers));
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  // Without rollback bookkeeping: with it, lowering each loop records every
  // op the block split moves, quadratic in time and memory on a whole
  // model's step function (6 BitNet-2B layers: 4.3 s and 1.1 GB vs 0.9 s).
  SCFToControlFlowPassOptions scfToCf;
  scfToCf.allowPatternRollback = false;
  pm.addPass(createSCFToControlFlowPass(scfToCf));
  // Math ops without an LLVM intrinsic (erf in GELU) become libm calls.
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  // The AMX tile kernel's ops (amx.tile_*) become LLVM's AMX intrinsics.
  vectorToLLVM.amx = true;
  vectorToLLVM.vectorContractLowering =
      vector::VectorContractLowering::OuterProduct;
  vectorToLLVM.vectorTransposeLowering =
      vector::VectorTransposeLowering::Shuffle1D;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void mmfree::registerCpuPipeline() {
  PassPipelineRegistration<CpuPipelineOptions>(
      "mmfree-cpu-pipeline",
      "Lower mmfree and linalg on tensors to the LLVM dialect: the mmfree "
      "vector kernels, f32 matmuls tiled and vectorized, everything else "
      "through linalg loops, bufferized with One-Shot Bufferize",
      buildCpuPipeline);
}
