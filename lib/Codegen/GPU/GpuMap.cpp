//===- GpuMap.cpp - mmfree-gpu-map ----------------------------------------===//
//
// Hands the kernels of mmfree-gpu-tile to the upstream GPU transform ops:
// each tagged block-level scf.forall becomes a gpu.launch and its thread
// phases thread ids, with a barrier after each phase. The transform
// sequence is built with the C++ builders per kernel (block sizes belong to
// each kernel) at the kernel's location, so that any failure of the
// upstream mapping is reported at the user's op.
//
//===----------------------------------------------------------------------===//

#include "mmfree/Codegen/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/TransformOps/GPUTransformOps.h"
#include "mlir/Dialect/Linalg/TransformOps/DialectExtension.h"
#include "mlir/Dialect/Linalg/TransformOps/LinalgTransformOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/Dialect/Transform/IR/TransformOps.h"
#include "mlir/Dialect/Transform/IR/TransformTypes.h"
#include "mlir/Dialect/Transform/Interfaces/TransformInterfaces.h"

namespace mmfree {
#define GEN_PASS_DEF_GPUMAP
#include "mmfree/Codegen/Passes.h.inc"
} // namespace mmfree

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kBlockDims = "mmfree.gpu_block_dims";
constexpr llvm::StringLiteral kKernelId = "mmfree.gpu_kernel";

} // namespace

/// transform.sequence that maps the forall tagged `id` to blocks (creating
/// its gpu.launch) and its nested foralls to threads of `blockDims`.
static transform::SequenceOp buildMapping(OpBuilder &b, Location loc,
                                          int64_t id,
                                          ArrayRef<int64_t> blockDims) {
  auto anyOp = transform::AnyOpType::get(b.getContext());
  return transform::SequenceOp::create(
      b, loc, TypeRange{}, transform::FailurePropagationMode::Propagate, anyOp,
      [&](OpBuilder &b, Location loc, BlockArgument root) {
        Value kernel = transform::MatchOp::create(
            b, loc, anyOp, root, b.getStrArrayAttr({"scf.forall"}),
            /*interface=*/nullptr,
            b.getDictionaryAttr(
                b.getNamedAttr(kKernelId, b.getI64IntegerAttr(id))),
            /*filter_result_type=*/nullptr, /*filter_operand_types=*/nullptr);
        Value launch = transform::MapForallToBlocks::create(
            b, loc, anyOp, kernel, /*grid_dims=*/ArrayRef<int64_t>{},
            /*generate_gpu_launch=*/true);
        transform::MapNestedForallToThreads::create(
            b, loc, anyOp, launch, b.getDenseI64ArrayAttr(blockDims));
        transform::YieldOp::create(b, loc);
      });
}

namespace {

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
    MLIRContext *ctx = &getContext();
    // A kernel inside the user's scf.forall (tile-and-fuse output, say)
    // would need nested launches; upstream mapping finds no top-level loop.
    for (scf::ForallOp forall : kernels)
      if (auto outer = forall->getParentOfType<scf::ForallOp>()) {
        InFlightDiagnostic diag = forall.emitError(
            "cannot map to the GPU: this kernel is inside an scf.forall; "
            "map that loop to blocks yourself, or lower it to scf.for "
            "(--scf-forall-to-for) before the GPU pipeline");
        diag.attachNote(outer.getLoc()) << "the enclosing scf.forall";
        return signalPassFailure();
      }

    OpBuilder b(ctx);
    OwningOpRef<ModuleOp> holder = ModuleOp::create(module.getLoc());
    b.setInsertionPointToEnd(holder->getBody());
    for (auto [id, forall] : llvm::enumerate(kernels)) {
      auto dims = forall->getAttrOfType<DenseI64ArrayAttr>(kBlockDims);
      if (!dims || dims.size() != 3) {
        forall.emitError() << kBlockDims << " must hold 3 sizes";
        return signalPassFailure();
      }
      forall->setAttr(kKernelId, b.getI64IntegerAttr(id));
      transform::SequenceOp mapping =
          buildMapping(b, forall.getLoc(), id, dims.asArrayRef());
      if (failed(transform::applyTransforms(module, mapping)))
        return signalPassFailure();
    }
  }
};

} // namespace
