//===- MatmulToLMul.cpp - linalg.matmul -> mmfree.lmul_matmul -------------===//

#include "ContractionMatch.h"
#include "LMulBits.h"
#include "mmfree/Dialect/MMFree/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"

namespace mmfree {
#define GEN_PASS_DEF_MATMULTOLMUL
#include "mmfree/Dialect/MMFree/Transforms/Passes.h.inc"
} // namespace mmfree

using namespace mlir;
using namespace mmfree;

/// Elementwise float conversion (extf or truncf) of a tensor as a generic.
static Value convertTensor(OpBuilder &b, Location loc, Value v, Type elt) {
  auto type = cast<RankedTensorType>(v.getType());
  auto resultType = type.clone(elt);
  SmallVector<Value> dyn;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      dyn.push_back(tensor::DimOp::create(b, loc, v, d));
  Value empty = tensor::EmptyOp::create(b, loc, resultType, dyn);
  AffineMap id = b.getMultiDimIdentityMap(type.getRank());
  SmallVector<utils::IteratorType> iters(type.getRank(),
                                         utils::IteratorType::parallel);
  bool widen = elt.getIntOrFloatBitWidth() >
               type.getElementType().getIntOrFloatBitWidth();
  return linalg::GenericOp::create(
             b, loc, resultType, v, empty, ArrayRef<AffineMap>{id, id}, iters,
             [&](OpBuilder &bb, Location l, ValueRange args) {
               Value c =
                   widen
                       ? arith::ExtFOp::create(bb, l, elt, args[0]).getResult()
                       : arith::TruncFOp::create(bb, l, elt, args[0])
                             .getResult();
               linalg::YieldOp::create(bb, l, c);
             })
      .getResult(0);
}

namespace {

struct MatmulToLMulPass
    : public mmfree::impl::MatmulToLMulBase<MatmulToLMulPass> {
  using MatmulToLMulBase::MatmulToLMulBase;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    if (failed(forEachContraction(
            getOperation(), "L-Mul", analyze,
            [&](const Contraction &form) {
              Type elt = getElementTypeOrSelf(form.op.getDpsInputs()[0]);
              FailureOr<unsigned> k =
                  lmulMantissaBits(form.op, elt, mantissaBits);
              if (failed(k))
                return failure();
              rewrite(rewriter, form, *k);
              ++numRewritten;
              return success();
            },
            numSkipped)))
      return signalPassFailure();
  }

  /// The contraction as rows x K x N with L-Mul's types, or failure saying
  /// why.
  static FailureOr<Contraction> analyze(linalg::LinalgOp op, std::string &why) {
    FailureOr<Contraction> form = matchContraction(op, why);
    if (failed(form))
      return failure();
    Type elt = getElementTypeOrSelf(op.getDpsInputs()[0].getType());
    Type outElt = getElementTypeOrSelf(op.getDpsInits()[0].getType());
    if (!getLMulFormat(elt) ||
        elt != getElementTypeOrSelf(form->rhs.getType()) ||
        !isa<FloatType>(outElt)) {
      why = "A and B need the same element type among f32, bf16, f16, "
            "f8E4M3FN and f8E5M2, and the result a float type";
      return failure();
    }
    return form;
  }

  void rewrite(IRRewriter &rewriter, const Contraction &form, unsigned k) {
    Location loc = form.op.getLoc();
    rewriter.setInsertionPoint(form.op);
    Type f32 = rewriter.getF32Type();
    Value init = flattenInit(rewriter, form);
    Type outElt = getElementTypeOrSelf(init.getType());
    if (outElt != f32)
      init = convertTensor(rewriter, loc, init, f32);
    Value result = LMulMatmulOp::create(
        rewriter, loc, init.getType(), flattenLhs(rewriter, form), form.rhs,
        init, rewriter.getI64IntegerAttr(k),
        form.rhsTransposed ? rewriter.getUnitAttr() : nullptr);
    if (outElt != f32)
      result = convertTensor(rewriter, loc, result, outElt);
    // The init is already the accumulator of lmul_matmul.
    replaceContraction(rewriter, form, result, /*addInit=*/false);
  }
};

} // namespace
