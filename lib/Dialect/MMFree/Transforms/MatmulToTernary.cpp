//===- MatmulToTernary.cpp - linalg.matmul -> ternary add/sub -------------===//
//
// Finds f32 matmuls whose weights are compile-time constants, ternarizes and
// packs the weights, and replaces the matmul by mmfree ternary ops.
//
//===----------------------------------------------------------------------===//

#include "MatmulForms.h"
#include "mmfree/Dialect/MMFree/Transforms/Passes.h"
#include "mmfree/Numerics/Ternary.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"

namespace mmfree {
#define GEN_PASS_DEF_MATMULTOTERNARY
#include "mmfree/Dialect/MMFree/Transforms/Passes.h.inc"
} // namespace mmfree

using namespace mlir;
using namespace mmfree;

namespace {

/// A matmul that can be rewritten: its activations and its weights as N x K.
struct TernaryCandidate {
  Value activations;
  std::vector<float> weights; // N x K row-major
  int64_t n, k;
};

static std::vector<float> transposed(const std::vector<float> &m, int64_t rows,
                                     int64_t cols) {
  std::vector<float> t(m.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      t[c * rows + r] = m[r * cols + c];
  return t;
}

static FailureOr<TernaryCandidate> analyze(linalg::MatmulOp op,
                                           std::string &why) {
  FailureOr<MatmulForm> form = matchMatmulForm(op, why);
  if (failed(form))
    return failure();
  auto elementIsF32 = [](Value v) {
    return getElementTypeOrSelf(v.getType()).isF32();
  };
  if (!elementIsF32(form->lhs) || !elementIsF32(form->rhs) ||
      !elementIsF32(op.getResult(0))) {
    why = "only f32 matmuls are supported";
    return failure();
  }
  auto wType = cast<RankedTensorType>(form->rhs.getType());
  if (!wType.hasStaticShape()) {
    why = "weights must have a static shape";
    return failure();
  }
  FailureOr<std::vector<float>> values = constantWeights(form->rhs, why);
  if (failed(values))
    return failure();
  TernaryCandidate c;
  c.activations = form->lhs;
  c.n = wType.getDimSize(form->rhsTransposed ? 0 : 1);
  c.k = wType.getDimSize(form->rhsTransposed ? 1 : 0);
  c.weights =
      form->rhsTransposed ? std::move(*values) : transposed(*values, c.k, c.n);
  return c;
}

/// Tensor type `shape` x `elt` keeping a dynamic M from `like`.
static RankedTensorType tensorLike(RankedTensorType like,
                                   ArrayRef<int64_t> shape, Type elt) {
  SmallVector<int64_t> dims(shape);
  dims[0] = like.getDimSize(0);
  return RankedTensorType::get(dims, elt);
}

struct MatmulToTernaryPass
    : public mmfree::impl::MatmulToTernaryBase<MatmulToTernaryPass> {
  using MatmulToTernaryBase::MatmulToTernaryBase;

  void runOnOperation() override {
    SmallVector<linalg::MatmulOp> matmuls;
    getOperation().walk([&](linalg::MatmulOp op) { matmuls.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::MatmulOp op : matmuls) {
      std::string why;
      FailureOr<TernaryCandidate> c = analyze(op, why);
      if (failed(c)) {
        op.emitRemark("not rewritten to ternary: ") << why;
        continue;
      }
      rewrite(rewriter, op, *c);
    }
  }

  void rewrite(IRRewriter &rewriter, linalg::MatmulOp op,
               const TernaryCandidate &c) {
    using namespace numerics;
    Location loc = op.getLoc();
    rewriter.setInsertionPoint(op);
    TernaryWeights t = ternarize(c.weights.data(), c.n, c.k, scale);
    std::vector<uint8_t> packed = packTernary(t.values.data(), c.n, c.k);

    auto i8 = rewriter.getI8Type();
    auto f32 = rewriter.getF32Type();
    auto packedType =
        RankedTensorType::get({c.n, numBlocks(c.k), kBlockBytes}, i8);
    Value weights = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::getFromRawBuffer(
            packedType, ArrayRef<char>(reinterpret_cast<char *>(packed.data()),
                                       packed.size())));
    auto scaleType = RankedTensorType::get({int64_t(t.scales.size())}, f32);
    Value scales = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(scaleType, ArrayRef<float>(t.scales)));

    auto aType = cast<RankedTensorType>(c.activations.getType());
    auto resultType = cast<RankedTensorType>(op.getResultTypes()[0]);
    Value input = c.activations, rowScale;
    Type accType = f32;
    if (activations == TernaryActivations::Int8) {
      auto q =
          QuantizeRowsOp::create(rewriter, loc, tensorLike(aType, {0, c.k}, i8),
                                 tensorLike(aType, {0}, f32), c.activations);
      input = q.getQuantized();
      rowScale = q.getScale();
      accType = rewriter.getIntegerType(accumulatorBits(c.k));
    }
    Value acc = TernaryMatmulOp::create(
        rewriter, loc, tensorLike(aType, {0, c.n}, accType), input, weights,
        rewriter.getI64IntegerAttr(c.k));
    Value y =
        DequantizeOp::create(rewriter, loc, resultType, acc, scales, rowScale);
    replaceMatmul(rewriter, op, y, /*addInit=*/true);
  }
};

} // namespace
