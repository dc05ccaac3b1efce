//===- MatmulToTernary.cpp - linalg.matmul -> ternary add/sub -------------===//
//
// Finds f32 contractions whose weights fold to compile-time constants,
// ternarizes and packs the weights, and replaces the contraction by mmfree
// ternary ops.
//
//===----------------------------------------------------------------------===//

#include "ConstantWeights.h"
#include "ContractionMatch.h"
#include "UnpackedTernary.h"
#include "mmfree/Dialect/MMFree/Transforms/Passes.h"
#include "mmfree/Numerics/Ternary.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/SetVector.h"

namespace mmfree {
#define GEN_PASS_DEF_MATMULTOTERNARY
#include "mmfree/Dialect/MMFree/Transforms/Passes.h.inc"
} // namespace mmfree

using namespace mlir;
using namespace mmfree;

namespace {

/// A contraction that can be rewritten: its form and its weights, known at
/// compile time (ternarized) or unpacked from a function argument.
struct TernaryCandidate {
  Contraction form;
  std::optional<numerics::TernaryWeights> ternary;
  std::optional<UnpackedTernary> unpacked;
};

} // namespace

static std::vector<float> transposed(const std::vector<float> &m, int64_t rows,
                                     int64_t cols) {
  std::vector<float> t(m.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      t[c * rows + r] = m[r * cols + c];
  return t;
}

/// Whether `t` holds `weights` exactly (they were ternary already).
static bool isExact(const numerics::TernaryWeights &t,
                    const std::vector<float> &weights) {
  for (int64_t i = 0, e = weights.size(); i < e; ++i)
    if (weights[i] !=
        t.values[i] * t.scales[t.scales.size() == 1 ? 0 : i / t.k])
      return false;
  return true;
}

/// The contraction as a candidate, ternarized with `scale`, or failure
/// saying why.
static FailureOr<TernaryCandidate> analyze(linalg::LinalgOp op,
                                           bool packedArguments,
                                           numerics::ScaleGranularity scale,
                                           bool onlyTernaryWeights,
                                           std::string &why) {
  FailureOr<Contraction> form = matchContraction(op, why);
  if (failed(form) || failed(checkF32StaticWeights(*form, why)))
    return failure();
  FailureOr<std::vector<float>> values = constantWeights(form->rhs, why);
  if (failed(values) && packedArguments && form->rhsTransposed) {
    std::string whyNot;
    FailureOr<UnpackedTernary> unpacked =
        matchUnpackedTernary(form->rhs, whyNot);
    if (failed(unpacked)) {
      why += "; " + whyNot;
      return failure();
    }
    auto func = cast<func::FuncOp>(unpacked->packed.getOwner()->getParentOp());
    if (!SymbolTable::symbolKnownUseEmpty(func,
                                          func->getParentOfType<ModuleOp>())) {
      why = "weights are unpacked from an argument of a function called in "
            "the module (its signature cannot change)";
      return failure();
    }
    return TernaryCandidate{*form, std::nullopt, *unpacked};
  }
  if (failed(values))
    return failure();
  std::vector<float> weights = form->rhsTransposed
                                   ? std::move(*values)
                                   : transposed(*values, form->k, form->n);
  numerics::TernaryWeights t =
      numerics::ternarize(weights.data(), form->n, form->k, scale);
  if (onlyTernaryWeights && !isExact(t, weights)) {
    why = "weights are not c * {-1, 0, 1} (only-ternary-weights)";
    return failure();
  }
  return TernaryCandidate{*form, std::move(t), std::nullopt};
}

/// Tensor type `shape` x `elt` keeping a dynamic M from `like`.
static RankedTensorType tensorLike(RankedTensorType like,
                                   ArrayRef<int64_t> shape, Type elt) {
  SmallVector<int64_t> dims(shape);
  dims[0] = like.getDimSize(0);
  return RankedTensorType::get(dims, elt);
}

namespace {

struct MatmulToTernaryPass
    : public mmfree::impl::MatmulToTernaryBase<MatmulToTernaryPass> {
  using MatmulToTernaryBase::MatmulToTernaryBase;

  void runOnOperation() override {
    packedArgs.clear();
    IRRewriter rewriter(&getContext());
    if (failed(forEachContraction(
            getOperation(), "ternary",
            [&](linalg::LinalgOp op, std::string &why) {
              return analyze(op, packedArguments, scale, onlyTernaryWeights,
                             why);
            },
            [&](const TernaryCandidate &c) {
              if (c.unpacked)
                rewritePacked(rewriter, c);
              else
                rewrite(rewriter, c, *c.ternary);
              ++numRewritten;
              return success();
            },
            numSkipped)))
      return signalPassFailure();
    // Arguments whose unpacking became dead are replaced by the packed ones
    // (each once: one argument may be unpacked several ways).
    llvm::SetVector<BlockArgument> unpacked;
    for (auto &entry : packedArgs)
      unpacked.insert(entry.first.first);
    packedArgs.clear(); // this run's arguments: not kept past it
    for (BlockArgument old : unpacked) {
      if (!old.use_empty())
        continue;
      auto func = cast<func::FuncOp>(old.getOwner()->getParentOp());
      if (failed(func.eraseArgument(old.getArgNumber())))
        signalPassFailure();
    }
  }

  /// The packed argument replacing each unpacked one, by how it is
  /// unpacked (shared by the contractions reading the same weights), during
  /// one run.
  llvm::MapVector<std::pair<BlockArgument, Attribute>, BlockArgument>
      packedArgs;

  void rewritePacked(IRRewriter &rewriter, const TernaryCandidate &c) {
    const UnpackedTernary &u = *c.unpacked;
    int64_t n = c.form.n, k = c.form.k;
    Location loc = c.form.op.getLoc();
    auto attr = PackedTernaryAttr::get(&getContext(), u.rows,
                                       rewriter.getDenseI64ArrayAttr(u.shifts),
                                       rewriter.getDenseF32ArrayAttr(u.values));
    BlockArgument &packed = packedArgs[{u.packed, attr}];
    if (!packed) {
      auto func = cast<func::FuncOp>(u.packed.getOwner()->getParentOp());
      auto type = RankedTensorType::get(
          {n, numerics::numBlocks(k), numerics::kBlockBytes},
          rewriter.getI8Type());
      unsigned index = u.packed.getArgNumber() + 1;
      if (failed(func.insertArgument(
              index, type,
              rewriter.getDictionaryAttr(
                  rewriter.getNamedAttr(kPackedTernaryAttrName, attr)),
              u.packed.getLoc())))
        return signalPassFailure();
      packed = func.getArgument(index);
    }
    rewriter.setInsertionPoint(c.form.op);
    Value scales = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(
            RankedTensorType::get({1}, rewriter.getF32Type()),
            ArrayRef<float>{1.f}));
    emitTernary(rewriter, c, packed, scales);
  }

  void rewrite(IRRewriter &rewriter, const TernaryCandidate &c,
               const numerics::TernaryWeights &t) {
    using namespace numerics;
    Location loc = c.form.op.getLoc();
    int64_t n = c.form.n, k = c.form.k;
    rewriter.setInsertionPoint(c.form.op);
    std::vector<uint8_t> packed = packTernary(t.values.data(), n, k);

    auto i8 = rewriter.getI8Type();
    auto f32 = rewriter.getF32Type();
    auto packedType = RankedTensorType::get({n, numBlocks(k), kBlockBytes}, i8);
    Value weights = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::getFromRawBuffer(
            packedType, ArrayRef<char>(reinterpret_cast<char *>(packed.data()),
                                       packed.size())));
    auto scaleType = RankedTensorType::get({int64_t(t.scales.size())}, f32);
    Value scales = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(scaleType, ArrayRef<float>(t.scales)));

    emitTernary(rewriter, c, weights, scales);
  }

  /// quantize_rows (int8 activations), ternary_matmul on `weights` and
  /// dequantize by `scales`, replacing the contraction.
  void emitTernary(IRRewriter &rewriter, const TernaryCandidate &c,
                   Value weights, Value scales) {
    Location loc = c.form.op.getLoc();
    int64_t n = c.form.n, k = c.form.k;
    auto i8 = rewriter.getI8Type();
    auto f32 = rewriter.getF32Type();
    Value input = flattenLhs(rewriter, c.form), rowScale;
    auto aType = cast<RankedTensorType>(input.getType());
    RankedTensorType resultType = flatResultType(c.form);
    Type accType = f32;
    if (activations == TernaryActivations::Int8) {
      auto q =
          QuantizeRowsOp::create(rewriter, loc, tensorLike(aType, {0, k}, i8),
                                 tensorLike(aType, {0}, f32), input);
      input = q.getQuantized();
      rowScale = q.getScale();
      accType = rewriter.getIntegerType(numerics::accumulatorBits(k));
    }
    Value acc = TernaryMatmulOp::create(
        rewriter, loc, tensorLike(aType, {0, n}, accType), input, weights,
        rewriter.getI64IntegerAttr(k));
    Value y =
        DequantizeOp::create(rewriter, loc, resultType, acc, scales, rowScale);
    replaceContraction(rewriter, c.form, y, /*addInit=*/true);
  }
};

} // namespace
