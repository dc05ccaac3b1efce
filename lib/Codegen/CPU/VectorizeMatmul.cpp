//===- VectorizeMatmul.cpp - tile and vectorize f32 linalg.matmul ---------===//
//
// The f32 baseline of the CPU pipeline: each static f32 linalg.matmul on
// tensors is tiled with the upstream TilingInterface (register tiles of
// 4 x 16 outputs, 16 deep) and each tile vectorized with linalg::vectorize
// into a vector.contract, lowered later to outer products (FMAs).
//
//===----------------------------------------------------------------------===//

#include "mmfree/Codegen/Passes.h"
#include "mmfree/Codegen/Utils/TileAndVectorize.h"

#include "mlir/IR/TypeUtilities.h"

namespace mmfree {
#define GEN_PASS_DEF_VECTORIZEMATMUL
#include "mmfree/Codegen/Passes.h.inc"
} // namespace mmfree

using namespace mlir;

namespace {

/// Largest of `preferred` halvings (down to 1) that divides `size`, so every
/// tile is full and static.
int64_t tileFor(int64_t size, int64_t preferred) {
  for (int64_t t = preferred; t > 1; t /= 2)
    if (size % t == 0)
      return t;
  return 1;
}

/// Reads B through the matmul's indexing map instead of materializing a
/// linalg.transpose of it (torch-mlir's nn.Linear): the copy of the whole
/// weight per call would cost more than the product at batch 1.
void foldWeightTransposes(IRRewriter &rewriter, ModuleOp module) {
  SmallVector<linalg::MatmulOp> matmuls;
  module.walk([&](linalg::MatmulOp op) { matmuls.push_back(op); });
  MLIRContext *ctx = module.getContext();
  AffineExpr d0, d1, d2;
  bindDims(ctx, d0, d1, d2);
  auto map = [&](ArrayRef<AffineExpr> e) {
    return AffineMap::get(3, 0, e, ctx);
  };
  for (linalg::MatmulOp op : matmuls) {
    auto transpose = op.getDpsInputs()[1].getDefiningOp<linalg::TransposeOp>();
    if (!transpose || !op.hasPureTensorSemantics() ||
        transpose.getPermutation() != ArrayRef<int64_t>{1, 0} ||
        op.getIndexingMapsArray() !=
            SmallVector<AffineMap>{map({d0, d2}), map({d2, d1}), map({d0, d1})})
      continue;
    rewriter.modifyOpInPlace(op, [&] {
      op->setOperand(1, transpose.getInput());
      op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(
          {map({d0, d2}), map({d1, d2}), map({d0, d1})}));
    });
    if (transpose->use_empty())
      rewriter.eraseOp(transpose);
  }
}

struct VectorizeMatmulPass
    : public mmfree::impl::VectorizeMatmulBase<VectorizeMatmulPass> {
  void runOnOperation() override {
    IRRewriter folder(&getContext());
    foldWeightTransposes(folder, getOperation());
    SmallVector<linalg::MatmulOp> matmuls;
    getOperation().walk([&](linalg::MatmulOp op) {
      // Only static, non-empty, all-f32 products on tensors: the rest (on
      // memrefs, mixed types, zero-size) go through linalg loops, which
      // take any of them.
      auto allF32 = llvm::all_of(op->getOperandTypes(), [](Type t) {
        return getElementTypeOrSelf(t).isF32();
      });
      if (op.hasPureTensorSemantics() && allF32 &&
          llvm::all_of(op.getStaticLoopRanges(), [](int64_t s) {
            return !ShapedType::isDynamic(s) && s > 0;
          }))
        matmuls.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::MatmulOp op : matmuls) {
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      SmallVector<int64_t> tiles = {tileFor(ranges[0], 4),
                                    tileFor(ranges[1], 16),
                                    tileFor(ranges[2], 16)};
      mmfree::tileAndVectorize(rewriter, op, tiles, /*namedContraction=*/true);
    }
  }
};

} // namespace
