//===- MMFreeCanonicalize.cpp - ops that compute nothing ------------------===//
//
// A zero-size M, N or row count leaves nothing to compute, and kernel
// builders (and upstream tiling with a zero tile) cannot take such shapes.
// The ops fold to their destinations instead: the init of a
// destination-style op, tensor.empty of the reified shape otherwise.
//
//===----------------------------------------------------------------------===//

#include "mmfree/Dialect/MMFree/IR/MMFree.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "llvm/Support/DebugLog.h"

using namespace mlir;
using namespace mmfree;

#define DEBUG_TYPE "mmfree-canonicalize"

bool mmfree::computesNothing(Operation *op) {
  // A product over K = 0 leaves the accumulator as it was.
  if (auto lmul = dyn_cast<LMulMatmulOp>(op))
    if (lmul.getLhs().getType().getDimSize(1) == 0)
      return true;
  return llvm::all_of(op->getResultTypes(), [](Type t) {
    auto shaped = dyn_cast<ShapedType>(t);
    return shaped && shaped.hasRank() &&
           llvm::is_contained(shaped.getShape(), 0);
  });
}

namespace {

struct FoldEmpty : RewritePattern {
  // Above every kernel pattern of the lowering passes.
  FoldEmpty(StringRef root, MLIRContext *ctx)
      : RewritePattern(root, /*benefit=*/100, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!computesNothing(op))
      return rewriter.notifyMatchFailure(op, "has output elements");
    LDBG() << "folding to its destinations: " << *op;
    if (auto dps = dyn_cast<DestinationStyleOpInterface>(op)) {
      rewriter.replaceOp(op, dps.getDpsInits());
      return success();
    }
    ReifiedRankedShapedTypeDims shapes;
    if (failed(reifyResultShapes(rewriter, op, shapes)))
      return rewriter.notifyMatchFailure(op, "result shapes not reifiable");
    SmallVector<Value> empties;
    for (auto [result, shape] : llvm::zip(op->getResults(), shapes))
      empties.push_back(tensor::EmptyOp::create(rewriter, op->getLoc(), shape,
                                                getElementTypeOrSelf(result)));
    rewriter.replaceOp(op, empties);
    return success();
  }
};

} // namespace

template <typename... Ops>
static void addFoldEmpty(RewritePatternSet &patterns) {
  (patterns.add<FoldEmpty>(Ops::getOperationName(), patterns.getContext()),
   ...);
}

void mmfree::populateFoldEmptyPatterns(RewritePatternSet &patterns) {
  addFoldEmpty<QuantizeRowsOp, TernaryMatmulOp, DequantizeOp, LMulMatmulOp,
               LutEncodeOp, LutMatmulOp>(patterns);
}

#define CANONICALIZE_BY_FOLD_EMPTY(Op)                                         \
  void Op::getCanonicalizationPatterns(RewritePatternSet &patterns,            \
                                       MLIRContext *ctx) {                     \
    patterns.add<FoldEmpty>(getOperationName(), ctx);                          \
  }
CANONICALIZE_BY_FOLD_EMPTY(QuantizeRowsOp)
CANONICALIZE_BY_FOLD_EMPTY(TernaryMatmulOp)
CANONICALIZE_BY_FOLD_EMPTY(DequantizeOp)
CANONICALIZE_BY_FOLD_EMPTY(LMulMatmulOp)
CANONICALIZE_BY_FOLD_EMPTY(LutEncodeOp)
CANONICALIZE_BY_FOLD_EMPTY(LutMatmulOp)
