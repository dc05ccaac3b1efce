//===- MulToLMul.cpp - arith.mulf in linalg.generic -> mmfree.lmul --------===//

#include "LMulBits.h"
#include "mmfree/Dialect/MMFree/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace mmfree {
#define GEN_PASS_DEF_MULTOLMUL
#include "mmfree/Dialect/MMFree/Transforms/Passes.h.inc"
} // namespace mmfree

using namespace mlir;
using namespace mmfree;

/// Whether `mul` is the product a batched contraction sums: `generic` has a
/// reduction, `mul` takes its two inputs, and a parallel dimension indexes
/// both inputs and the output (attention's batch of heads).
static bool isBatchedContractionProduct(linalg::GenericOp generic,
                                        arith::MulFOp mul) {
  if (generic.getNumReductionLoops() == 0 || generic.getNumDpsInputs() != 2)
    return false;
  Block *body = generic.getBody();
  auto input = [&](Value v) {
    auto arg = dyn_cast<BlockArgument>(v);
    return arg && arg.getOwner() == body && arg.getArgNumber() < 2 ? arg
                                                                   : nullptr;
  };
  BlockArgument lhs = input(mul.getLhs()), rhs = input(mul.getRhs());
  if (!lhs || !rhs || lhs == rhs)
    return false;
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  SmallVector<utils::IteratorType> iterators = generic.getIteratorTypesArray();
  for (unsigned d = 0; d < generic.getNumLoops(); ++d)
    if (iterators[d] == utils::IteratorType::parallel &&
        llvm::all_of(maps,
                     [&](AffineMap map) { return map.isFunctionOfDim(d); }))
      return true;
  return false;
}

namespace {

struct MulToLMulPass : public mmfree::impl::MulToLMulBase<MulToLMulPass> {
  using MulToLMulBase::MulToLMulBase;

  void runOnOperation() override {
    SmallVector<arith::MulFOp> muls;
    getOperation().walk([&](linalg::GenericOp generic) {
      generic.getBody()->walk([&](arith::MulFOp mul) {
        if (!batchedOnly || isBatchedContractionProduct(generic, mul))
          muls.push_back(mul);
        else if (generic.getNumReductionLoops() != 0)
          mul.emitRemark("not rewritten to L-Mul: not the product of a "
                         "batched contraction (batched-only)");
      });
    });
    IRRewriter rewriter(&getContext());
    for (arith::MulFOp mul : muls) {
      if (!getLMulFormat(mul.getType())) {
        mul.emitRemark("not rewritten to L-Mul: unsupported type ")
            << mul.getType();
        continue;
      }
      FailureOr<unsigned> k =
          lmulMantissaBits(mul, mul.getType(), mantissaBits);
      if (failed(k))
        return signalPassFailure();
      rewriter.setInsertionPoint(mul);
      rewriter.replaceOpWithNewOp<LMulOp>(mul, mul.getLhs(), mul.getRhs(),
                                          rewriter.getI64IntegerAttr(*k));
    }
  }
};

} // namespace
