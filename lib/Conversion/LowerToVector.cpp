//===- LowerToVector.cpp - mmfree.ternary_matmul -> vector kernel ---------===//
//
// CPU fast path for the ternary contraction. For each row m and each group of
// kRowsPerGroup output channels, a loop over 64-weight blocks keeps
// 4 x kRowsPerGroup vector accumulators of 16 lanes; one 16-byte weight load
// per channel is decoded with shift 2j and mask 3 for the four 16-lane slices
// j of the block, and each activation slice is loaded once for all channels.
//
//===----------------------------------------------------------------------===//

#include "TernaryBuilders.h"
#include "mmfree/Conversion/Passes.h"
#include "mmfree/Numerics/Ternary.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mmfree {
#define GEN_PASS_DEF_LOWERTOVECTOR
#include "mmfree/Conversion/Passes.h.inc"
} // namespace mmfree

using namespace mlir;
using namespace mmfree;

namespace {

using numerics::kBlockBytes;
using numerics::kBlockWeights;

/// Output channels that share each activation load.
constexpr int64_t kRowsPerGroup = 4;
/// 16-lane slices per 64-weight block.
constexpr int64_t kSlices = kBlockWeights / kBlockBytes;

Value idx(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

struct TernaryMatmulToVector : OpRewritePattern<TernaryMatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(TernaryMatmulOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t k = op.getK();
    int64_t paddedK = numerics::numBlocks(k) * kBlockWeights;
    Value x = padToBlocks(rewriter, loc, op.getInput(), k);
    Value w = op.getWeights();
    auto resultType = op.getResult().getType();
    Type accType = resultType.getElementType();
    int64_t n = resultType.getDimSize(1);

    Value mSize = tensor::DimOp::create(rewriter, loc, op.getInput(), 0);
    SmallVector<Value> dyn;
    if (resultType.isDynamicDim(0))
      dyn.push_back(mSize);
    Value init = tensor::EmptyOp::create(rewriter, loc, resultType, dyn);

    int64_t mainN = n - n % kRowsPerGroup;
    auto rows = scf::ForOp::create(
        rewriter, loc, idx(rewriter, loc, 0), mSize, idx(rewriter, loc, 1),
        init, [&](OpBuilder &b, Location l, Value m, ValueRange iter) {
          Value result = iter[0];
          if (mainN > 0)
            result = channelLoop(b, l, x, w, result, m, 0, mainN, kRowsPerGroup,
                                 paddedK, accType);
          if (mainN < n)
            result = channelLoop(b, l, x, w, result, m, mainN, n, 1, paddedK,
                                 accType);
          scf::YieldOp::create(b, l, result);
        });
    rewriter.replaceOp(op, rows.getResult(0));
    return success();
  }

  /// Loop over channels [begin, end) in groups of `group`, each group
  /// reducing over all blocks into `group` results of row `m`.
  static Value channelLoop(OpBuilder &b, Location loc, Value x, Value w,
                           Value result, Value m, int64_t begin, int64_t end,
                           int64_t group, int64_t paddedK, Type accType) {
    auto loop = scf::ForOp::create(
        b, loc, idx(b, loc, begin), idx(b, loc, end), idx(b, loc, group),
        result, [&](OpBuilder &b, Location l, Value n0, ValueRange iter) {
          SmallVector<Value> sums =
              reduceGroup(b, l, x, w, m, n0, group, paddedK, accType);
          Value res = iter[0];
          for (int64_t r = 0; r < group; ++r) {
            Value n = arith::AddIOp::create(b, l, n0, idx(b, l, r));
            res =
                tensor::InsertOp::create(b, l, sums[r], res, ValueRange{m, n});
          }
          scf::YieldOp::create(b, l, res);
        });
    return loop.getResult(0);
  }

  /// sum_k x[m,k] * Wt[n0+r,k] for r < group, as scalars of `accType`.
  static SmallVector<Value> reduceGroup(OpBuilder &b, Location loc, Value x,
                                        Value w, Value m, Value n0,
                                        int64_t group, int64_t paddedK,
                                        Type accType) {
    auto i8 = b.getI8Type();
    auto byteVec = VectorType::get({kBlockBytes}, i8);
    auto xVecType = VectorType::get(
        {kBlockBytes}, cast<RankedTensorType>(x.getType()).getElementType());
    auto accVec = VectorType::get({kBlockBytes}, accType);
    Value zeroAcc = zeroOf(b, loc, accVec);
    SmallVector<Value> inits(group * kSlices, zeroAcc);
    auto blocks = scf::ForOp::create(
        b, loc, idx(b, loc, 0), idx(b, loc, paddedK),
        idx(b, loc, kBlockWeights), inits,
        [&](OpBuilder &bb, Location l, Value k0, ValueRange accs) {
          // Block index k0 / 64 as a shift: no multiply or divide.
          Value block = arith::ShRUIOp::create(bb, l, k0, idx(bb, l, 6));
          Value padI8 = zeroOf(bb, l, i8);
          SmallVector<Value> packed;
          for (int64_t r = 0; r < group; ++r) {
            Value n = arith::AddIOp::create(bb, l, n0, idx(bb, l, r));
            packed.push_back(vector::TransferReadOp::create(
                bb, l, byteVec, w, ValueRange{n, block, idx(bb, l, 0)}, padI8,
                ArrayRef<bool>{true}));
          }
          SmallVector<Value> next(accs.begin(), accs.end());
          Value padX = zeroOf(bb, l, xVecType.getElementType());
          for (int64_t j = 0; j < kSlices; ++j) {
            Value kj =
                arith::AddIOp::create(bb, l, k0, idx(bb, l, j * kBlockBytes));
            Value xs = vector::TransferReadOp::create(bb, l, xVecType, x,
                                                      ValueRange{m, kj}, padX,
                                                      ArrayRef<bool>{true});
            if (isa<IntegerType>(accType))
              xs = arith::ExtSIOp::create(bb, l, accVec, xs);
            Value shift = arith::ConstantOp::create(
                bb, l,
                DenseElementsAttr::get(byteVec,
                                       bb.getI8IntegerAttr(int8_t(2 * j))));
            for (int64_t r = 0; r < group; ++r)
              next[r * kSlices + j] = accumulateTernary(
                  bb, l, next[r * kSlices + j], xs, packed[r], shift);
          }
          scf::YieldOp::create(bb, l, next);
        });
    SmallVector<Value> sums;
    for (int64_t r = 0; r < group; ++r) {
      Value total = blocks.getResult(r * kSlices);
      for (int64_t j = 1; j < kSlices; ++j) {
        Value part = blocks.getResult(r * kSlices + j);
        total = isa<FloatType>(accType)
                    ? arith::AddFOp::create(b, loc, total, part).getResult()
                    : arith::AddIOp::create(b, loc, total, part).getResult();
      }
      sums.push_back(vector::ReductionOp::create(
          b, loc, vector::CombiningKind::ADD, total));
    }
    return sums;
  }
};

struct LowerToVectorPass
    : public mmfree::impl::LowerToVectorBase<LowerToVectorPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<TernaryMatmulToVector>(&getContext());
    populateLMulMatmulToVectorPatterns(patterns);
    populateLutToVectorPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
