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

namespace {

struct MulToLMulPass : public mmfree::impl::MulToLMulBase<MulToLMulPass> {
  using MulToLMulBase::MulToLMulBase;

  void runOnOperation() override {
    SmallVector<arith::MulFOp> muls;
    getOperation().walk([&](linalg::GenericOp generic) {
      generic.getBody()->walk([&](arith::MulFOp mul) { muls.push_back(mul); });
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
