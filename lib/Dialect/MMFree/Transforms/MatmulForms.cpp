//===- MatmulForms.cpp - matmul shapes front ends emit --------------------===//

#include "MatmulForms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
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

/// Reads the elements of a constant f32 or i8 tensor attribute (dense or
/// dense_resource) as floats; nullopt if the attribute is neither.
static std::optional<std::vector<float>> readFloats(Attribute attr) {
  if (auto dense = dyn_cast<DenseFPElementsAttr>(attr)) {
    if (!dense.getElementType().isF32())
      return std::nullopt;
    auto values = dense.getValues<float>();
    return std::vector<float>(values.begin(), values.end());
  }
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr)) {
    if (!dense.getElementType().isInteger(8))
      return std::nullopt;
    std::vector<float> out;
    out.reserve(dense.getNumElements());
    for (const APInt &v : dense.getValues<APInt>())
      out.push_back(static_cast<float>(v.getSExtValue()));
    return out;
  }
  if (auto res = dyn_cast<DenseF32ResourceElementsAttr>(attr)) {
    if (std::optional<ArrayRef<float>> data = res.tryGetAsArrayRef())
      return std::vector<float>(data->begin(), data->end());
    return std::nullopt;
  }
  if (auto res = dyn_cast<DenseI8ResourceElementsAttr>(attr)) {
    if (std::optional<ArrayRef<int8_t>> data = res.tryGetAsArrayRef())
      return std::vector<float>(data->begin(), data->end());
  }
  return std::nullopt;
}

/// Constant weight values, looking through an `arith.sitofp` from i8.
FailureOr<std::vector<float>> constantWeights(Value v, std::string &why) {
  if (auto cast = v.getDefiningOp<arith::SIToFPOp>())
    v = cast.getIn();
  Attribute attr;
  if (!matchPattern(v, m_Constant(&attr))) {
    why = "weights are not a compile-time constant";
    return failure();
  }
  std::optional<std::vector<float>> values = readFloats(attr);
  if (!values) {
    why = "weights are a constant of an unsupported kind or element type "
          "(expected f32 or i8, dense or dense_resource with data)";
    return failure();
  }
  return std::move(*values);
}

static void eraseDeadProducers(RewriterBase &rewriter, Value v) {
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

static bool isZeroInit(Value init) {
  if (auto fill = init.getDefiningOp<linalg::FillOp>())
    return matchPattern(fill.getInputs()[0], m_AnyZeroFloat());
  return matchPattern(init, m_AnyZeroFloat());
}

void replaceMatmul(RewriterBase &rewriter, linalg::MatmulOp op, Value y,
                   bool addInit) {
  Value init = op.getDpsInits()[0];
  if (addInit && !isZeroInit(init))
    y = linalg::AddOp::create(rewriter, op.getLoc(), ValueRange{y, init},
                              ValueRange{init})
            .getResult(0);
  Value weights = op.getDpsInputs()[1];
  rewriter.replaceOp(op, y);
  eraseDeadProducers(rewriter, weights);
}

} // namespace mmfree
