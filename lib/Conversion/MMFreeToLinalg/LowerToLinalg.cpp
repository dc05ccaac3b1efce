//===- LowerToLinalg.cpp - mmfree ops -> linalg.generic -------------------===//
//
// Portable lowering: everything becomes upstream linalg/tensor/arith/math on
// tensors, so stock pipelines (IREE, torch-mlir, mlir-opt) can continue.
//
//===----------------------------------------------------------------------===//

#include "mmfree/Codegen/Utils/LMulBuilders.h"
#include "mmfree/Codegen/Utils/LutBuilders.h"
#include "mmfree/Codegen/Utils/TernaryBuilders.h"
#include "mmfree/Conversion/Passes.h"
#include "mmfree/Numerics/Maddness.h"
#include "mmfree/Numerics/Ternary.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mmfree {
#define GEN_PASS_DEF_LOWERTOLINALG
#include "mmfree/Conversion/Passes.h.inc"
} // namespace mmfree

using namespace mlir;
using namespace mmfree;

using utils::IteratorType;

/// tensor.empty of `type`, taking each dynamic size from the same dimension
/// of `like` (the verifiers keep every other dimension static).
static Value emptyLike(OpBuilder &b, Location loc, RankedTensorType type,
                       Value like) {
  SmallVector<Value> dyn;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      dyn.push_back(tensor::DimOp::create(b, loc, like, d));
  return tensor::EmptyOp::create(b, loc, type, dyn);
}

static Value filled(OpBuilder &b, Location loc, RankedTensorType type,
                    Value like, Value value) {
  return linalg::FillOp::create(b, loc, value, emptyLike(b, loc, type, like))
      .getResult(0);
}

/// `parallel` parallel loops, then `reductions` reduction loops.
static SmallVector<IteratorType> iterators(int64_t parallel,
                                           int64_t reductions = 0) {
  SmallVector<IteratorType> out(parallel, IteratorType::parallel);
  out.append(reductions, IteratorType::reduction);
  return out;
}

/// A generic with only parallel loops that writes a fresh tensor of `type`
/// (sized like `like`) through the identity map from `inputs`, read through
/// `inputMaps`.
static Value
parallelGeneric(OpBuilder &b, Location loc, RankedTensorType type,
                ValueRange inputs, ArrayRef<AffineMap> inputMaps, Value like,
                function_ref<void(OpBuilder &, Location, ValueRange)> body) {
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(type.getRank()));
  return linalg::GenericOp::create(b, loc, type, inputs,
                                   emptyLike(b, loc, type, like), maps,
                                   iterators(type.getRank()), body)
      .getResult(0);
}

static Value f32Constant(OpBuilder &b, Location loc, float v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
}

namespace {

struct QuantizeRowsLowering : OpConversionPattern<QuantizeRowsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(QuantizeRowsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    Value x = adaptor.getInput();
    auto scaleType = op.getScale().getType();
    AffineMap id2 = AffineMap::getMultiDimIdentityMap(2, ctx);
    AffineMap row = AffineMap::get(2, 0, getAffineDimExpr(0, ctx), ctx);

    // max_k |x[m,k]|, then q = 127 / max(maxAbs, eps).
    Value maxAbs =
        linalg::GenericOp::create(
            rewriter, loc, scaleType, x,
            filled(rewriter, loc, scaleType, x, f32Constant(rewriter, loc, 0)),
            ArrayRef<AffineMap>{id2, row}, iterators(1, 1),
            [](OpBuilder &b, Location l, ValueRange args) {
              Value a = math::AbsFOp::create(b, l, args[0]);
              linalg::YieldOp::create(
                  b, l, Value(arith::MaximumFOp::create(b, l, args[1], a)));
            })
            .getResult(0);
    Value scale = parallelGeneric(
        rewriter, loc, scaleType, maxAbs,
        AffineMap::getMultiDimIdentityMap(1, ctx), x,
        [](OpBuilder &b, Location l, ValueRange args) {
          Value m = arith::MaximumFOp::create(
              b, l, args[0], f32Constant(b, l, numerics::kScaleEpsilon));
          linalg::YieldOp::create(
              b, l,
              Value(arith::DivFOp::create(b, l, f32Constant(b, l, 127.f), m)));
        });
    // xq = clamp(roundeven(x * q), -128, 127).
    Value quantized = parallelGeneric(
        rewriter, loc, op.getQuantized().getType(), ValueRange{x, scale},
        {id2, row}, x, [](OpBuilder &b, Location l, ValueRange args) {
          Value v = arith::MulFOp::create(b, l, args[0], args[1]);
          v = math::RoundEvenOp::create(b, l, v);
          v = arith::MaximumFOp::create(b, l, v, f32Constant(b, l, -128.f));
          v = arith::MinimumFOp::create(b, l, v, f32Constant(b, l, 127.f));
          linalg::YieldOp::create(
              b, l, Value(arith::FPToSIOp::create(b, l, b.getI8Type(), v)));
        });
    rewriter.replaceOp(op, {quantized, scale});
    return success();
  }
};

struct TernaryMatmulLowering : OpConversionPattern<TernaryMatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TernaryMatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    using numerics::kBlockBytes;
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    int64_t k = op.getK(), blocks = numerics::numBlocks(k);
    Value x = padToBlocks(rewriter, loc, adaptor.getInput(), k);

    // M x (64 * blocks) -> M x blocks x 4 x 16, so that (t, j, b) address
    // weight 64t + 16j + b, the packed layout's order.
    auto xType = cast<RankedTensorType>(x.getType());
    auto expandedType = RankedTensorType::get(
        {xType.getDimSize(0), blocks, 4, kBlockBytes}, xType.getElementType());
    SmallVector<OpFoldResult> outShape = {
        tensor::getMixedSize(rewriter, loc, x, 0),
        rewriter.getIndexAttr(blocks), rewriter.getIndexAttr(4),
        rewriter.getIndexAttr(kBlockBytes)};
    Value xExpanded = tensor::ExpandShapeOp::create(
        rewriter, loc, expandedType, x,
        SmallVector<ReassociationIndices>{{0}, {1, 2, 3}}, outShape);

    auto resultType = op.getResult().getType();
    Type accType = resultType.getElementType();
    Value init = filled(rewriter, loc, resultType, adaptor.getInput(),
                        zeroOf(rewriter, loc, accType));
    AffineExpr m, n, t, j, b;
    bindDims(ctx, m, n, t, j, b);
    auto map = [&](ArrayRef<AffineExpr> e) {
      return AffineMap::get(5, 0, e, ctx);
    };
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, ValueRange{xExpanded, adaptor.getWeights()},
        init,
        ArrayRef<AffineMap>{map({m, t, j, b}), map({n, t, b}), map({m, n})},
        iterators(2, 3), [&](OpBuilder &bb, Location l, ValueRange args) {
          // shift = 2j, built without a multiply.
          Value jIdx = linalg::IndexOp::create(bb, l, 3);
          Value jI8 = arith::IndexCastOp::create(bb, l, bb.getI8Type(), jIdx);
          Value shift = arith::AddIOp::create(bb, l, jI8, jI8);
          Value xv = args[0];
          if (isa<IntegerType>(accType))
            xv = arith::ExtSIOp::create(bb, l, accType, xv);
          linalg::YieldOp::create(
              bb, l, accumulateTernary(bb, l, args[2], xv, args[1], shift));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct DequantizeLowering : OpConversionPattern<DequantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    AffineMap id2 = AffineMap::getMultiDimIdentityMap(2, ctx);
    // A per-tensor scale is read once, outside the generic: a constant
    // (d0, d1) -> (0) map would keep the generic from being vectorized.
    bool perTensor = op.getWeightScale().getType().getDimSize(0) == 1;
    SmallVector<Value> inputs = {adaptor.getAcc()};
    SmallVector<AffineMap> maps = {id2};
    Value weightScale;
    if (perTensor) {
      weightScale = tensor::ExtractOp::create(
          rewriter, loc, adaptor.getWeightScale(),
          ValueRange{arith::ConstantIndexOp::create(rewriter, loc, 0)});
    } else {
      inputs.push_back(adaptor.getWeightScale());
      maps.push_back(AffineMap::get(2, 0, getAffineDimExpr(1, ctx), ctx));
    }
    Value rowScale = adaptor.getRowScale();
    if (rowScale) {
      inputs.push_back(rowScale);
      maps.push_back(AffineMap::get(2, 0, getAffineDimExpr(0, ctx), ctx));
    }
    Value result = parallelGeneric(
        rewriter, loc, op.getResult().getType(), inputs, maps, adaptor.getAcc(),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value v = args[0];
          if (isa<IntegerType>(v.getType()))
            v = arith::SIToFPOp::create(b, l, b.getF32Type(), v);
          v = arith::MulFOp::create(b, l, v, perTensor ? weightScale : args[1]);
          if (rowScale)
            v = arith::DivFOp::create(b, l, v, args[args.size() - 2]);
          linalg::YieldOp::create(b, l, v);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LMulLowering : OpConversionPattern<LMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    unsigned k = op.getMantissaBits();
    auto tensorType = dyn_cast<RankedTensorType>(op.getType());
    if (!tensorType) {
      rewriter.replaceOp(op, buildLMul(rewriter, op.getLoc(), adaptor.getLhs(),
                                       adaptor.getRhs(), k));
      return success();
    }
    AffineMap id = rewriter.getMultiDimIdentityMap(tensorType.getRank());
    rewriter.replaceOp(
        op, parallelGeneric(rewriter, op.getLoc(), tensorType,
                            ValueRange{adaptor.getLhs(), adaptor.getRhs()},
                            {id, id}, adaptor.getLhs(),
                            [&](OpBuilder &b, Location l, ValueRange args) {
                              linalg::YieldOp::create(
                                  b, l, buildLMul(b, l, args[0], args[1], k));
                            }));
    return success();
  }
};

struct LMulMatmulLowering : OpConversionPattern<LMulMatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LMulMatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, buildLMulMatmulGeneric(rewriter, op.getLoc(), adaptor.getLhs(),
                                   adaptor.getRhs(), adaptor.getInit(),
                                   op.getMantissaBits(), op.getTransposeRhs()));
    return success();
  }
};

/// Codes by walking each tree: a generic over (row, codebook) whose body
/// reads the split column and node threshold with tensor.extract and builds
/// the code with compares and adds.
struct LutEncodeLowering : OpConversionPattern<LutEncodeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LutEncodeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getCodes().getType();
    Value x = adaptor.getInput(), dims = adaptor.getDims(),
          thresholds = adaptor.getThresholds();
    Value codes = parallelGeneric(
        rewriter, loc, type, ValueRange{}, {}, x,
        [&](OpBuilder &b, Location l, ValueRange) {
          Value row = linalg::IndexOp::create(b, l, 0);
          Value book = linalg::IndexOp::create(b, l, 1);
          auto index = [&](int64_t v) -> Value {
            return arith::ConstantIndexOp::create(b, l, v);
          };
          Value code = index(0);
          for (int64_t t = 0; t < numerics::kTreeDepth; ++t) {
            Value dim = arith::IndexCastOp::create(
                b, l, b.getIndexType(),
                tensor::ExtractOp::create(b, l, dims,
                                          ValueRange{book, index(t)}));
            Value v = tensor::ExtractOp::create(b, l, x,
                                                op.getTransposeInput()
                                                    ? ValueRange{dim, row}
                                                    : ValueRange{row, dim});
            Value node = arith::AddIOp::create(b, l, code, index((1 << t) - 1));
            Value thr = tensor::ExtractOp::create(b, l, thresholds,
                                                  ValueRange{book, node});
            Value bit = arith::IndexCastUIOp::create(
                b, l, b.getIndexType(),
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, v, thr));
            code = arith::AddIOp::create(
                b, l, arith::AddIOp::create(b, l, code, code), bit);
          }
          linalg::YieldOp::create(
              b, l,
              Value(arith::IndexCastOp::create(b, l, b.getI8Type(), code)));
        });
    rewriter.replaceOp(op, codes);
    return success();
  }
};

/// Table reads (tensor.extract at the code) and adds; the average tree
/// unrolled over the codebooks padded with zeros to a power of two.
struct LutMatmulLowering : OpConversionPattern<LutMatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LutMatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    auto type = op.getResult().getType();
    Value codes = adaptor.getCodes(), tables = adaptor.getTables();
    int64_t books = op.getTables().getType().getDimSize(0);
    Type i16 = rewriter.getI16Type();
    // tables[c, codes[n, c], m] widened to i16.
    auto entry = [&](OpBuilder &b, Location l, Value code, Value book,
                     Value col) -> Value {
      Value k = arith::IndexCastUIOp::create(b, l, b.getIndexType(), code);
      return arith::ExtUIOp::create(
          b, l, i16,
          tensor::ExtractOp::create(b, l, tables, ValueRange{book, k, col}));
    };
    if (op.getAccumulation() == LutAccumulation::Exact) {
      AffineExpr n, m, c;
      bindDims(ctx, n, m, c);
      Value init =
          filled(rewriter, loc, type, codes, zeroOf(rewriter, loc, i16));
      auto generic = linalg::GenericOp::create(
          rewriter, loc, type, codes, init,
          ArrayRef<AffineMap>{AffineMap::get(3, 0, {n, c}, ctx),
                              AffineMap::get(3, 0, {n, m}, ctx)},
          iterators(2, 1), [&](OpBuilder &b, Location l, ValueRange args) {
            Value e = entry(b, l, args[0], linalg::IndexOp::create(b, l, 2),
                            linalg::IndexOp::create(b, l, 1));
            linalg::YieldOp::create(
                b, l, Value(arith::AddIOp::create(b, l, args[1], e)));
          });
      rewriter.replaceOp(op, generic.getResult(0));
      return success();
    }
    Value sums = parallelGeneric(
        rewriter, loc, type, ValueRange{}, {}, codes,
        [&](OpBuilder &b, Location l, ValueRange) {
          Value row = linalg::IndexOp::create(b, l, 0);
          Value col = linalg::IndexOp::create(b, l, 1);
          SmallVector<Value> level;
          for (int64_t c = 0; c < books; ++c) {
            Value book = arith::ConstantIndexOp::create(b, l, c);
            Value code =
                tensor::ExtractOp::create(b, l, codes, ValueRange{row, book});
            level.push_back(entry(b, l, code, book, col));
          }
          linalg::YieldOp::create(
              b, l,
              Value(arith::TruncIOp::create(b, l, b.getI8Type(),
                                            averageEntries(b, l, level))));
        });
    rewriter.replaceOp(op, sums);
    return success();
  }
};

struct LowerToLinalgPass
    : public mmfree::impl::LowerToLinalgBase<LowerToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<MMFreeDialect>();
    // Vector-level ops of the CPU kernels, lowered after bufferization.
    target.addLegalOp<X86ShuffleBytesOp, X86DotBytesOp, X86MultiplyAddBytesOp,
                      X86MultiplyAddWordsOp, X86PermuteLanesOp,
                      X86AffineBytesOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(ctx);
    patterns.add<QuantizeRowsLowering, TernaryMatmulLowering,
                 DequantizeLowering, LMulLowering, LMulMatmulLowering,
                 LutEncodeLowering, LutMatmulLowering>(ctx);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      return signalPassFailure();
    // What callers pack (#mmfree.packed_ternary) was read before lowering;
    // stock tools (IREE, mlir-translate) need not know the attribute.
    getOperation()->walk([](FunctionOpInterface func) {
      for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
        func.removeArgAttr(i, kPackedTernaryAttrName);
    });
  }
};

} // namespace
