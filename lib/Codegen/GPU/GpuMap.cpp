//===- GpuMap.cpp - mmfree-gpu-map ----------------------------------------===//
//
// Hands the kernels of mmfree-gpu-tile to the upstream GPU transform ops:
// each tagged block-level scf.forall becomes a gpu.launch and its thread
// phases thread ids, with a barrier after each phase. The transform script
// is built per module because block sizes belong to each kernel.
//
//===----------------------------------------------------------------------===//

#include "mmfree/Codegen/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/TransformOps/GPUTransformOps.h"
#include "mlir/Dialect/Linalg/TransformOps/DialectExtension.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/Dialect/Transform/Transforms/TransformInterpreterUtils.h"
#include "mlir/Parser/Parser.h"

namespace mmfree {
#define GEN_PASS_DEF_GPUMAP
#include "mmfree/Codegen/Passes.h.inc"
} // namespace mmfree

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kBlockDims = "mmfree.gpu_block_dims";
constexpr llvm::StringLiteral kKernelId = "mmfree.gpu_kernel";

struct GpuMapPass : mmfree::impl::GpuMapBase<GpuMapPass> {
  using GpuMapBase::GpuMapBase;

  void getDependentDialects(DialectRegistry &registry) const override {
    GpuMapBase::getDependentDialects(registry);
    gpu::registerTransformDialectExtension(registry);
    linalg::registerTransformDialectExtension(registry);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<scf::ForallOp> kernels;
    module.walk([&](scf::ForallOp forall) {
      if (forall->hasAttr(kBlockDims))
        kernels.push_back(forall);
    });
    if (kernels.empty())
      return;

    std::string script;
    llvm::raw_string_ostream os(script);
    os << "module attributes {transform.with_named_sequence} {\n"
          "transform.named_sequence @__transform_main("
          "%root: !transform.any_op {transform.readonly}) {\n";
    for (auto [i, forall] : llvm::enumerate(kernels)) {
      auto dims = forall->getAttrOfType<DenseI64ArrayAttr>(kBlockDims);
      if (!dims || dims.size() != 3) {
        forall.emitError() << kBlockDims << " must hold 3 sizes";
        return signalPassFailure();
      }
      forall->setAttr(kKernelId,
                      IntegerAttr::get(IntegerType::get(&getContext(), 64), i));
      os << "%k" << i
         << " = transform.structured.match ops{[\"scf.forall\"]} "
            "attributes{"
         << kKernelId << " = " << i
         << " : i64} in %root : (!transform.any_op) -> !transform.any_op\n"
         << "%l" << i << " = transform.gpu.map_forall_to_blocks %k" << i
         << " generate_gpu_launch : (!transform.any_op) -> "
            "!transform.any_op\n"
         << "transform.gpu.map_nested_forall_to_threads %l" << i
         << " block_dims = [" << dims[0] << ", " << dims[1] << ", " << dims[2]
         << "] : (!transform.any_op) -> !transform.any_op\n";
    }
    os << "transform.yield\n}\n}\n";

    OwningOpRef<ModuleOp> library =
        parseSourceString<ModuleOp>(script, ParserConfig(&getContext()));
    if (!library) {
      module.emitError("mmfree-gpu-map: could not build the mapping script");
      return signalPassFailure();
    }
    Operation *entry = library->lookupSymbol("__transform_main");
    if (failed(transform::applyTransformNamedSequence(
            module, entry, *library, transform::TransformOptions())))
      return signalPassFailure();
  }
};

} // namespace
