//===- MatmulForms.cpp - matmul shapes front ends emit --------------------===//

#include "MatmulForms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace mmfree {

FailureOr<MatmulForm> matchMatmulForm(linalg::MatmulOp op, std::string &why) {
  if (!op.hasPureTensorSemantics()) {
    why = "matmul is not on tensors";
    return failure();
  }
  MLIRContext *ctx = op.getContext();
  AffineExpr d0, d1, d2;
  bindDims(ctx, d0, d1, d2);
  auto map = [&](ArrayRef<AffineExpr> e) {
    return AffineMap::get(3, 0, e, ctx);
  };
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (maps[0] != map({d0, d2}) || maps[2] != map({d0, d1})) {
    why = "only matmuls with plain A and C indexing maps are supported";
    return failure();
  }
  MatmulForm form{op.getDpsInputs()[0], op.getDpsInputs()[1],
                  maps[1] == map({d1, d2})};
  if (!form.rhsTransposed && maps[1] != map({d2, d1})) {
    why = "unsupported indexing map for B";
    return failure();
  }
  if (auto t = form.rhs.getDefiningOp<linalg::TransposeOp>();
      t && !form.rhsTransposed &&
      t.getPermutation() == ArrayRef<int64_t>{1, 0}) {
    form.rhs = t.getInput();
    form.rhsTransposed = true;
  }
  return form;
}

void eraseDeadProducers(RewriterBase &rewriter, Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (!def->use_empty() ||
        !isa<linalg::TransposeOp, arith::SIToFPOp, arith::ConstantOp>(def))
      return;
    Value next = def->getNumOperands() ? def->getOperand(0) : Value();
    rewriter.eraseOp(def);
    if (!next)
      return;
    v = next;
  }
}

bool isZeroInit(Value init) {
  if (auto fill = init.getDefiningOp<linalg::FillOp>())
    return matchPattern(fill.getInputs()[0], m_AnyZeroFloat());
  return matchPattern(init, m_AnyZeroFloat());
}

} // namespace mmfree
