//===- MatmulToLut.cpp - linalg.matmul -> MADDNESS table lookups ----------===//

#include "ConstantWeights.h"
#include "ContractionMatch.h"
#include "mmfree/Dialect/MMFree/Transforms/Passes.h"
#include "mmfree/Numerics/Maddness.h"
#include "mmfree/Numerics/Npy.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>

namespace mmfree {
#define GEN_PASS_DEF_MATMULTOLUT
#include "mmfree/Dialect/MMFree/Transforms/Passes.h.inc"
} // namespace mmfree

using namespace mlir;
using namespace mmfree;

namespace {

using numerics::kBuckets;
using numerics::kTreeDepth;

struct MatmulToLutPass : public mmfree::impl::MatmulToLutBase<MatmulToLutPass> {
  using MatmulToLutBase::MatmulToLutBase;

  /// One file for every contraction it fits, or one per contraction with
  /// constant weights, in IR order.
  std::vector<numerics::NpyMatrix> calibs;

  LogicalResult initialize(MLIRContext *ctx) override {
    std::string error;
    if (calibration.empty())
      error = "needs calibration=<rows of A as a .npy file>";
    else if (codebooks == 0)
      error = "codebooks must be positive";
    calibs.assign(calibration.size(), {});
    for (size_t i = 0; i < calibration.size() && error.empty(); ++i)
      if (!numerics::readNpyMatrix(calibration[i], calibs[i], error))
        error = "calibration: " + error;
    if (error.empty())
      return success();
    return emitError(UnknownLoc::get(ctx)) << "mmfree-matmul-to-lut: " << error;
  }

  /// A contraction the rewrite can take. Its form and B's values are
  /// taken again when it is rewritten: an earlier rewrite may have replaced
  /// the producer of its activations, and one layer's weights at a time
  /// stay in memory.
  struct Candidate {
    linalg::LinalgOp op;
  };

  void runOnOperation() override {
    SmallVector<Candidate> candidates;
    (void)forEachContraction(
        getOperation(), "table lookups", analyze,
        [&](const Candidate &c) {
          candidates.push_back(c);
          return success();
        },
        numSkipped);
    bool perContraction = calibs.size() > 1;
    if (perContraction && calibs.size() != candidates.size()) {
      getOperation().emitError("mmfree-matmul-to-lut: ")
          << calibs.size() << " calibration files for " << candidates.size()
          << " contractions with constant weights";
      return signalPassFailure();
    }
    IRRewriter rewriter(&getContext());
    for (auto [i, c] : llvm::enumerate(candidates))
      if (failed(rewrite(rewriter, c, perContraction ? i : 0, perContraction)))
        return signalPassFailure();
  }

  /// The contraction as a candidate, or failure saying why.
  static FailureOr<Candidate> analyze(linalg::LinalgOp op, std::string &why) {
    FailureOr<Contraction> form = matchContraction(op, why);
    if (failed(form) || failed(checkF32StaticWeights(*form, why)) ||
        failed(constantWeights(form->rhs, why)))
      return failure();
    return Candidate{op};
  }

  /// Learns the contraction's model from calibration file `file` and
  /// replaces it. Fails only on errors.
  LogicalResult rewrite(IRRewriter &rewriter, Candidate &c, size_t file,
                        bool perContraction) {
    std::string why;
    FailureOr<Contraction> matched = matchContraction(c.op, why);
    if (failed(matched))
      return c.op.emitError("contraction no longer matches: ") << why;
    const Contraction &form = *matched;
    FailureOr<std::vector<float>> values = constantWeights(form.rhs, why);
    if (failed(values))
      return c.op.emitError("weights no longer constant: ") << why;
    const numerics::NpyMatrix &calib = calibs[file];
    int64_t n = form.n, k = form.k;
    if (calib.cols != k && perContraction)
      return form.op.emitError("calibration file ")
             << file << " ('" << calibration[file] << "') has " << calib.cols
             << " columns but contraction " << file << " reduces over " << k;
    // A model's layers differ in K; one calibration file fits some of them.
    if (calib.cols != k) {
      form.op.emitRemark("not rewritten to table lookups: calibration rows "
                         "have ")
          << calib.cols << " columns but this contraction reduces over " << k;
      ++numSkipped;
      return success();
    }
    if (int64_t(codebooks) > k)
      return form.op.emitError("codebooks = ")
             << unsigned(codebooks) << " exceeds the " << k << " columns of A";
    bool exact = accumulation == LutAccumulation::Exact;
    if (exact && codebooks * 255 > 65535)
      return form.op.emitError("16-bit sums of ")
             << unsigned(codebooks)
             << " codebooks can overflow; use at most 257";
    // B as K x N, the layout the tables are learned against.
    std::vector<float> b(k * n);
    for (int64_t r = 0; r < k; ++r)
      for (int64_t col = 0; col < n; ++col)
        b[r * n + col] = form.rhsTransposed ? (*values)[col * k + r]
                                            : (*values)[r * n + col];
    numerics::MaddnessModel model = numerics::learnMaddness(
        calib.data.data(), calib.rows, k, b.data(), n, codebooks);
    const numerics::QuantizedTables &t = model.tables;
    if (!std::isfinite(t.offset) || !std::isfinite(t.scale) || t.scale == 0)
      return form.op.emitError("the table entries learned from the "
                               "calibration rows and these weights exceed the "
                               "float range");
    emit(rewriter, form, model, n);
    ++numRewritten;
    return success();
  }

  void emit(IRRewriter &rewriter, const Contraction &form,
            const numerics::MaddnessModel &model, int64_t n) {
    Location loc = form.op.getLoc();
    rewriter.setInsertionPoint(form.op);
    int64_t books = model.codebooks;
    std::vector<int32_t> dims;
    std::vector<float> thresholds;
    for (const numerics::HashTree &tree : model.trees) {
      dims.insert(dims.end(), tree.dims, tree.dims + kTreeDepth);
      for (const auto &threshold : tree.thresholds)
        thresholds.insert(thresholds.end(), threshold.begin(), threshold.end());
    }
    auto constant = [&](RankedTensorType type, ArrayRef<char> raw) -> Value {
      return arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::getFromRawBuffer(type, raw));
    };
    auto raw = [](const auto &v) {
      return ArrayRef<char>(reinterpret_cast<const char *>(v.data()),
                            v.size() * sizeof(v[0]));
    };
    Value dimsV = constant(
        RankedTensorType::get({books, kTreeDepth}, rewriter.getI32Type()),
        raw(dims));
    Value thrV = constant(
        RankedTensorType::get({books, kBuckets - 1}, rewriter.getF32Type()),
        raw(thresholds));
    Value tables = constant(
        RankedTensorType::get({books, kBuckets, n}, rewriter.getI8Type()),
        raw(model.tables.lut));
    Value lhs = flattenLhs(rewriter, form);
    int64_t rows = cast<RankedTensorType>(lhs.getType()).getDimSize(0);
    // A produced column-major (a 2-D transpose of D x N): encoding reads
    // the split columns as contiguous rows of the transpose's input.
    Value encoded = lhs;
    bool columnMajor = false;
    if (Value in = transposeInput(lhs)) {
      encoded = in;
      columnMajor = true;
    }
    Value codes = LutEncodeOp::create(
        rewriter, loc,
        RankedTensorType::get({rows, books}, rewriter.getI8Type()), encoded,
        dimsV, thrV, columnMajor);
    bool exact = accumulation == LutAccumulation::Exact;
    Type accType = exact ? rewriter.getI16Type() : rewriter.getI8Type();
    Value acc = LutMatmulOp::create(
        rewriter, loc, RankedTensorType::get({rows, n}, accType), codes, tables,
        LutAccumulationAttr::get(rewriter.getContext(), accumulation));
    // y = acc / divisor + offset; divisor is a power of two, so multiplying
    // by its inverse is the same division, exactly, without a divider.
    float divisor =
        exact ? model.tables.scale
              : model.tables.scale / float(numerics::averagedCodebooks(books));
    // Averages round up: their expected bias comes off the offset (as
    // numerics::dequantizeAverages computes it).
    float offset =
        exact ? model.tables.offset
              : model.tables.offset - numerics::averageBias(books) / divisor;
    RankedTensorType resultType = flatResultType(form);
    SmallVector<Value> dyn;
    if (resultType.isDynamicDim(0))
      dyn.push_back(tensor::DimOp::create(rewriter, loc, lhs, 0));
    Value empty = tensor::EmptyOp::create(rewriter, loc, resultType, dyn);
    AffineMap id = rewriter.getMultiDimIdentityMap(2);
    Value y =
        linalg::GenericOp::create(
            rewriter, loc, resultType, acc, empty, ArrayRef<AffineMap>{id, id},
            ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                          utils::IteratorType::parallel},
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value v = arith::UIToFPOp::create(b, l, b.getF32Type(), args[0]);
              v = arith::MulFOp::create(
                  b, l, v,
                  arith::ConstantOp::create(b, l,
                                            b.getF32FloatAttr(1.f / divisor)));
              v = arith::AddFOp::create(
                  b, l, v,
                  arith::ConstantOp::create(b, l, b.getF32FloatAttr(offset)));
              linalg::YieldOp::create(b, l, v);
            })
            .getResult(0);
    replaceContraction(rewriter, form, y, /*addInit=*/true);
  }
};

} // namespace
