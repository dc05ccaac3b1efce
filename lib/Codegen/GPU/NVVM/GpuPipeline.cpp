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

#include "mmfree/Codegen/Passes.h"
#include "mmfree/Dialect/MMFree/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mmfree::buildGpuPipeline(OpPassManager &pm,
                              const GpuPipelineOptions &opts) {
  GpuCheckTargetOptions check;
  check.chip = opts.chip;
  check.format = opts.format;
  check.toolkit = opts.toolkit;
  pm.addPass(createGpuCheckTarget(check));
  pm.addPass(createCheckWeights());
  pm.addPass(createGpuTile());
  pm.addPass(createLowerToLinalg());
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::buildBufferDeallocationPipeline(
      pm, bufferization::BufferDeallocationPipelineOptions());
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addPass(createConvertLinalgToLoopsPass());
  pm.addPass(createGpuMap());

  // gpu-lower-to-nvvm-pipeline's steps, with symbol-dce after outlining.
  pm.addPass(createConvertNVGPUToNVVMPass());
  pm.addPass(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createSymbolDCEPass());
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertNVVMToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = opts.chip;
  llvm::StringRef features = gpuPtxFeatures(opts.chip);
  target.features = features.empty() ? "+ptx80" : features.str();
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  pm.addPass(createLowerAffinePass());
  pm.addPass(createArithToLLVMConversionPass());
  ConvertIndexToLLVMPassOptions index;
  index.indexBitwidth = 64;
  pm.addPass(createConvertIndexToLLVMPass(index));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  ConvertGpuOpsToNVVMOpsOptions toNVVM;
  toNVVM.useBarePtrCallConv = opts.barePointers;
  kernels.addPass(createConvertGpuOpsToNVVMOps(toNVVM));
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());
  GpuToLLVMConversionPassOptions toLLVM;
  toLLVM.kernelBarePtrCallConv = opts.barePointers;
  pm.addPass(createGpuToLLVMConversionPass(toLLVM));
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = opts.format;
  binary.toolkitPath = opts.toolkit;
  pm.addPass(createGpuModuleToBinaryPass(binary));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void mmfree::registerGpuPipeline() {
  PassPipelineRegistration<GpuPipelineOptions>(
      "mmfree-gpu-pipeline",
      "Lower mmfree on tensors to gpu.binary (NVVM): the mmfree GPU kernels "
      "mapped to blocks and threads, PTX or cubin for the chosen chip",
      buildGpuPipeline);
}
