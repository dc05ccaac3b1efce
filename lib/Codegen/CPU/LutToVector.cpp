//===- LutToVector.cpp - MADDNESS ops -> vector kernels -------------------===//
//
// CPU kernels for the MADDNESS ops (part of mmfree-lower-to-vector):
//  - lut_encode with up to 16 codebooks: one row at a time, the codebooks in
//    16 lanes; per tree level one gather of the row's split columns, the
//    node threshold chosen by selects on the earlier outcomes among
//    thresholds loaded once, a compare and code = code + code + bit. Codes
//    are written as the row's C bytes.
//  - lut_encode of column-major rows (transpose_input): 32 rows in lanes,
//    contiguous loads of the split columns only.
//  - lut_matmul: one row at a time, the outputs in 32-lane vectors; per
//    codebook one load of the table row selected by the code (M bytes),
//    widened to 16 bits and added, or, for averaging, the codebooks' rows
//    combined in the rounding-average tree.
//  - lut_matmul with at most 32 outputs on x86 with AVX2 or AVX-512BW:
//    rows in 32 or 64 byte lanes, one vpshufb per (output, codebook) looks
//    up every row's entry in the 16-entry table column. When its codes come
//    from a column-major lut_encode, the two are fused: each block's codes
//    are built codebook by codebook for tiles of 256 rows in a small stack
//    scratch (no codes tensor, no transpose).
// The lookup kernels apply an elementwise consumer of their sums (the
// rescale that mmfree-matmul-to-lut emits) to their vectors and write its
// f32 result directly.
// All use compares, adds, shifts, loads, shuffles and gathers: no multiply
// (the rescale's multiply is by an exact power of two).
//
//===----------------------------------------------------------------------===//

#include "mmfree/Codegen/Passes.h"
#include "mmfree/Codegen/Utils/BufferBuilders.h"
#include "mmfree/Codegen/Utils/LMulBuilders.h"
#include "mmfree/Codegen/Utils/LutBuilders.h"
#include "mmfree/Codegen/Utils/TernaryBuilders.h"
#include "mmfree/Codegen/Utils/ThreadBuilders.h"
#include "mmfree/Numerics/Maddness.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/Support/DebugLog.h"

using namespace mlir;
using namespace mmfree;

#define DEBUG_TYPE "mmfree-lut-to-vector"

namespace {

using numerics::kBuckets;
using numerics::kTreeDepth;

constexpr int64_t kCodebookLanes = 16;
constexpr int64_t kShuffleMaxOutputs = 32;
constexpr int64_t kRowLanes = 32;
/// Rows per f32 compare in the column-major encodes.
constexpr int64_t kEncodePart = 16;
/// Rows the fused column-major kernels encode one codebook (or pair) at a
/// time before looking them up: the split columns of one codebook are the
/// only streams read, which the prefetchers follow (all 64 at once, 64 rows
/// at a time, read A at about half the speed).
constexpr int64_t kEncodeTile = 256;

} // namespace

/// The 1-D view of a static 2-D tensor, for gathers by flat index.
static Value flatten(OpBuilder &b, Location loc, Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  auto flat =
      RankedTensorType::get({type.getNumElements()}, type.getElementType());
  return tensor::CollapseShapeOp::create(
      b, loc, flat, t, SmallVector<ReassociationIndices>{{0, 1}});
}

/// scf.for over the rows of `like` (dimension 0), building a tensor of
/// `resultType` row by row: `body` gets the row and the tensor so far and
/// returns the updated tensor.
static Value forEachRow(
    OpBuilder &b, Location loc, Value like, RankedTensorType resultType,
    llvm::function_ref<Value(OpBuilder &, Location, Value, Value)> body) {
  Value rows = tensor::DimOp::create(b, loc, like, 0);
  SmallVector<Value> dyn;
  if (resultType.isDynamicDim(0))
    dyn.push_back(rows);
  Value init = tensor::EmptyOp::create(b, loc, resultType, dyn);
  return scf::ForOp::create(
             b, loc, indexConstant(b, loc, 0), rows, indexConstant(b, loc, 1),
             init,
             [&](OpBuilder &bb, Location l, Value r, ValueRange acc) {
               scf::YieldOp::create(bb, l, body(bb, l, r, acc[0]));
             })
      .getResult(0);
}

/// Constant vector<16xi32> [scale * lane + add].
static Value laneVector(OpBuilder &b, Location loc, int64_t scale,
                        int64_t add) {
  SmallVector<int32_t> v;
  for (int64_t l = 0; l < kCodebookLanes; ++l)
    v.push_back(int32_t(scale * l + add));
  return arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(VectorType::get({kCodebookLanes}, b.getI32Type()),
                             ArrayRef<int32_t>(v)));
}

/// candidates[node] where the node's bits, most significant first, are the
/// earlier levels' outcomes: a tree of selects.
static Value selectByOutcomes(OpBuilder &b, Location loc,
                              ArrayRef<Value> candidates,
                              ArrayRef<Value> outcomes) {
  if (candidates.size() == 1)
    return candidates[0];
  size_t half = candidates.size() / 2;
  Value low = selectByOutcomes(b, loc, candidates.take_front(half),
                               outcomes.drop_front());
  Value high = selectByOutcomes(b, loc, candidates.drop_front(half),
                                outcomes.drop_front());
  return arith::SelectOp::create(b, loc, outcomes.front(), high, low);
}

namespace {

struct LutEncodeToVector : OpRewritePattern<LutEncodeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LutEncodeOp op,
                                PatternRewriter &rewriter) const override {
    auto dimsType = op.getDims().getType();
    int64_t books = dimsType.getDimSize(0);
    if (op.getTransposeInput() || ShapedType::isDynamic(books) ||
        books > kCodebookLanes ||
        !op.getThresholds().getType().hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs at most 16 codebooks");
    Location loc = op.getLoc();
    Type i32 = rewriter.getI32Type(), f32 = rewriter.getF32Type();
    auto i32Vec = VectorType::get({kCodebookLanes}, i32);
    auto f32Vec = VectorType::get({kCodebookLanes}, f32);
    auto i1Vec = VectorType::get({kCodebookLanes}, rewriter.getI1Type());
    Value dims = flatten(rewriter, loc, op.getDims());
    Value thresholds = flatten(rewriter, loc, op.getThresholds());
    Value mask = vector::CreateMaskOp::create(
        rewriter, loc, i1Vec, ValueRange{indexConstant(rewriter, loc, books)});
    Value zeroI = splat(rewriter, loc, i32Vec, 0);
    Value zeroF = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(f32Vec, 0.f));
    // Split column of each lane's tree, per level: dims[c, t].
    SmallVector<Value> splitCols;
    for (int64_t t = 0; t < kTreeDepth; ++t)
      splitCols.push_back(vector::GatherOp::create(
          rewriter, loc, i32Vec, dims,
          ValueRange{indexConstant(rewriter, loc, 0)},
          laneVector(rewriter, loc, kTreeDepth, t), mask, zeroI));
    // Node j's threshold of every lane's tree, thresholds[c, j], loaded once.
    SmallVector<Value> nodeThresholds;
    for (int64_t j = 0; j < kBuckets - 1; ++j)
      nodeThresholds.push_back(vector::GatherOp::create(
          rewriter, loc, f32Vec, thresholds,
          ValueRange{indexConstant(rewriter, loc, 0)},
          laneVector(rewriter, loc, kBuckets - 1, j), mask, zeroF));
    Value input = op.getInput();
    Value codes = forEachRow(
        rewriter, loc, input, op.getCodes().getType(),
        [&](OpBuilder &b, Location l, Value r, Value result) -> Value {
          // Level t compares against the threshold of the node reached so
          // far, chosen among its 2^t candidates by the earlier outcomes.
          SmallVector<Value> outcomes;
          Value code = zeroI;
          for (int64_t t = 0; t < kTreeDepth; ++t) {
            Value x = vector::GatherOp::create(
                b, l, f32Vec, input, ValueRange{r, indexConstant(b, l, 0)},
                splitCols[t], mask, zeroF);
            int64_t first = (int64_t(1) << t) - 1;
            Value thr = selectByOutcomes(
                b, l,
                ArrayRef<Value>(nodeThresholds).slice(first, int64_t(1) << t),
                outcomes);
            Value above =
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x, thr);
            outcomes.push_back(above);
            code = arith::AddIOp::create(
                b, l, arith::AddIOp::create(b, l, code, code),
                arith::ExtUIOp::create(b, l, i32Vec, above));
          }
          Value bytes = arith::TruncIOp::create(
              b, l, VectorType::get({kCodebookLanes}, b.getI8Type()), code);
          return vector::TransferWriteOp::create(
                     b, l, bytes, result, ValueRange{r, indexConstant(b, l, 0)},
                     ArrayRef<bool>{false})
              .getResult();
        });
    rewriter.replaceOp(op, codes);
    return success();
  }
};

/// An elementwise consumer of a kernel's integer result that the kernel
/// applies to its vectors before storing (the rescale acc * 2^-s + offset
/// that mmfree-matmul-to-lut emits): an all-parallel linalg.generic whose
/// one input is the result, identity maps, a body of elementwise arith/math
/// ops on that input and constants. The kernel then writes the generic's
/// result and the integer sums never reach memory.
struct Epilogue {
  mutable linalg::GenericOp generic;

  static std::optional<Epilogue> match(Value result) {
    if (!result.hasOneUse())
      return std::nullopt;
    auto generic = dyn_cast<linalg::GenericOp>(*result.getUsers().begin());
    if (!generic || generic.getNumDpsInputs() != 1 ||
        generic.getNumResults() != 1 ||
        generic.getDpsInputOperand(0)->get() != result ||
        generic.getNumParallelLoops() != generic.getNumLoops() ||
        !llvm::all_of(generic.getIndexingMapsArray(),
                      [](AffineMap m) { return m.isIdentity(); }) ||
        !generic.getRegionOutputArgs()[0].use_empty() ||
        !cast<ShapedType>(generic.getResult(0).getType()).hasStaticShape())
      return std::nullopt;
    Block &body = generic.getRegion().front();
    for (Operation &op : body.without_terminator()) {
      bool elementwise = op.hasTrait<OpTrait::Elementwise>() &&
                         op.getNumRegions() == 0 &&
                         llvm::all_of(op.getResultTypes(),
                                      [](Type t) { return t.isIntOrFloat(); });
      if (!elementwise && !matchPattern(&op, m_Constant()))
        return std::nullopt;
      for (Value operand : op.getOperands())
        if (operand.getParentBlock() != &body &&
            !matchPattern(operand, m_Constant()))
          return std::nullopt;
    }
    return Epilogue{generic};
  }

  RankedTensorType type() const {
    return cast<RankedTensorType>(generic.getResult(0).getType());
  }

  /// Whether `mul` (in the body) is exact: an integer of at most 16 bits
  /// converted to f32 times a power-of-two constant that keeps the product
  /// normal. Then addf(mulf(x, c), d) == fma(x, c, d) bit for bit.
  static bool isExactProduct(arith::MulFOp mul) {
    for (auto [x, c] : {std::pair(mul.getLhs(), mul.getRhs()),
                        std::pair(mul.getRhs(), mul.getLhs())}) {
      Operation *convert = x.getDefiningOp();
      FloatAttr scale;
      if (!convert || !isa<arith::UIToFPOp>(convert) ||
          !mul.getType().isF32() ||
          convert->getOperand(0).getType().getIntOrFloatBitWidth() > 16 ||
          !matchPattern(c, m_Constant(&scale)))
        continue;
      APFloat value = scale.getValue();
      int exponent;
      APFloat mantissa = frexp(value, exponent, APFloat::rmNearestTiesToEven);
      if (value.isFiniteNonZero() &&
          mantissa.isExactlyValue(value.isNegative() ? -0.5 : 0.5) &&
          exponent - 1 >= -126 && exponent - 1 + 16 <= 127)
        return true;
    }
    return false;
  }

  /// The body on vector `v` (lanes of the input); an addf of an exact
  /// product (the rewrite's rescale) becomes one fma.
  Value apply(OpBuilder &b, Location l, Value v) const {
    ArrayRef<int64_t> shape = cast<VectorType>(v.getType()).getShape();
    Block &body = generic.getRegion().front();
    DenseMap<Operation *, arith::MulFOp> fused; // addf -> its product
    for (auto add : body.getOps<arith::AddFOp>())
      for (Value term : {add.getLhs(), add.getRhs()})
        if (auto mul = term.getDefiningOp<arith::MulFOp>())
          if (mul->hasOneUse() && isExactProduct(mul) && !fused.count(add))
            fused[add] = mul;
    IRMapping map;
    map.map(body.getArgument(0), v);
    auto vectorOf = [&](Value scalar) -> Value {
      if (Value mapped = map.lookupOrNull(scalar))
        return mapped;
      Attribute attr;
      matchPattern(scalar, m_Constant(&attr));
      Value splatted = arith::ConstantOp::create(
          b, l,
          DenseElementsAttr::get(VectorType::get(shape, scalar.getType()),
                                 attr));
      map.map(scalar, splatted);
      return splatted;
    };
    for (Operation &op : body.without_terminator()) {
      if (matchPattern(&op, m_Constant())) {
        vectorOf(op.getResult(0));
        continue;
      }
      if (auto mul = dyn_cast<arith::MulFOp>(&op);
          mul && llvm::is_contained(llvm::make_second_range(fused), mul))
        continue; // folded into its addf's fma
      if (arith::MulFOp mul = fused.lookup(&op)) {
        Value addend = op.getOperand(0) == mul.getResult() ? op.getOperand(1)
                                                           : op.getOperand(0);
        map.map(op.getResult(0),
                math::FmaOp::create(b, l, vectorOf(mul.getLhs()),
                                    vectorOf(mul.getRhs()), vectorOf(addend)));
        continue;
      }
      OperationState state(l, op.getName());
      for (Value operand : op.getOperands())
        state.addOperands(vectorOf(operand));
      for (Type t : op.getResultTypes())
        state.addTypes(VectorType::get(shape, t));
      state.addAttributes(op.getAttrs());
      Operation *vectorOp = b.create(state);
      map.map(op.getResults(), vectorOp->getResults());
    }
    return vectorOf(body.getTerminator()->getOperand(0));
  }
};

} // namespace

/// What the lookups of `op` write: the epilogue's result, or their sums.
static RankedTensorType
lookupResultType(LutMatmulOp op, const std::optional<Epilogue> &epilogue) {
  return epilogue ? epilogue->type() : op.getResult().getType();
}

/// Replaces `op` by `result`, or, with an epilogue, the generic it feeds
/// (then `op`, whose result only that generic read, goes).
static void replaceLookups(PatternRewriter &rewriter, LutMatmulOp op,
                           const std::optional<Epilogue> &epilogue,
                           Value result) {
  if (!epilogue) {
    rewriter.replaceOp(op, result);
    return;
  }
  rewriter.replaceOp(epilogue->generic, result);
  rewriter.eraseOp(op);
}

/// `op`'s kernel if it is of `kind` (mmfree-lower-to-vector annotated every
/// lut_matmul a kernel can lower).
static KernelAttr kernelOf(LutMatmulOp op, KernelKind kind) {
  auto kernel = op->getAttrOfType<KernelAttr>(kKernelAttrName);
  return kernel && kernel.getKind() == kind ? kernel : nullptr;
}

LutEncodeOp mmfree::fusableLutEncode(LutMatmulOp op) {
  auto encode = op.getCodes().getDefiningOp<LutEncodeOp>();
  auto tablesType = op.getTables().getType();
  if (!encode || !encode.getTransposeInput() ||
      !encode.getCodes().hasOneUse() ||
      !matchPattern(encode.getDims(), m_Constant()) ||
      !matchPattern(encode.getThresholds(), m_Constant()) ||
      !op.getResult().getType().hasStaticShape() ||
      !tablesType.hasStaticShape())
    return nullptr;
  return encode;
}

namespace {

/// Encoding from column-major rows (transpose_input): 32 rows in lanes. Per
/// codebook and level one contiguous load of the split column's 32 values,
/// compared with each lane's node threshold, chosen among the level's
/// constants by the earlier outcomes; the 16 x C codes are transposed in
/// registers and stored row by row. Reads only the split columns.
struct LutEncodeColumnsToVector : OpRewritePattern<LutEncodeOp> {
  LutEncodeColumnsToVector(MLIRContext *ctx)
      : OpRewritePattern(ctx, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(LutEncodeOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getCodes().hasOneUse())
      if (auto user = dyn_cast<LutMatmulOp>(*op.getCodes().getUsers().begin()))
        if (fusableLutEncode(user))
          return rewriter.notifyMatchFailure(op, "left to the fused lookups");
    DenseIntElementsAttr dimValues;
    DenseFPElementsAttr thrValues;
    if (!op.getTransposeInput() ||
        !matchPattern(op.getDims(), m_Constant(&dimValues)) ||
        !matchPattern(op.getThresholds(), m_Constant(&thrValues)))
      return rewriter.notifyMatchFailure(
          op, "needs transpose_input and constant trees");
    Location loc = op.getLoc();
    int64_t books = op.getDims().getType().getDimSize(0);
    auto f32Vec = VectorType::get({kRowLanes}, rewriter.getF32Type());
    auto i32Vec = VectorType::get({kRowLanes}, rewriter.getI32Type());
    auto byteVec = VectorType::get({kRowLanes}, rewriter.getI8Type());
    SmallVector<int64_t> dims;
    for (const APInt &v : dimValues.getValues<APInt>())
      dims.push_back(v.getSExtValue());
    SmallVector<float> thresholds(thrValues.getValues<float>());

    Value input = op.getInput();
    RankedTensorType codesType = op.getCodes().getType();
    Value rows = tensor::DimOp::create(rewriter, loc, input, 1);
    SmallVector<Value> dyn;
    if (codesType.isDynamicDim(0))
      dyn.push_back(rows);
    Value init = tensor::EmptyOp::create(rewriter, loc, codesType, dyn);
    auto idx = [&](OpBuilder &b, int64_t v) {
      return indexConstant(b, loc, v);
    };
    Value codes =
        scf::ForOp::create(
            rewriter, loc, idx(rewriter, 0), rows, idx(rewriter, kRowLanes),
            ValueRange{init},
            [&](OpBuilder &b, Location l, Value r0, ValueRange acc) {
              Value pad =
                  arith::ConstantOp::create(b, l, b.getF32FloatAttr(0.f));
              Value block = arith::ConstantOp::create(
                  b, l,
                  DenseElementsAttr::get(
                      VectorType::get({books, kRowLanes}, b.getI8Type()),
                      b.getI8IntegerAttr(0)));
              for (int64_t c = 0; c < books; ++c) {
                SmallVector<Value> outcomes;
                Value code = splat(b, l, i32Vec, 0);
                for (int64_t t = 0; t < kTreeDepth; ++t) {
                  Value x = vector::TransferReadOp::create(
                      b, l, f32Vec, input,
                      ValueRange{idx(b, dims[c * kTreeDepth + t]), r0}, pad,
                      ArrayRef<bool>{false});
                  int64_t first = (int64_t(1) << t) - 1;
                  SmallVector<Value> candidates;
                  for (int64_t j = 0; j < (int64_t(1) << t); ++j)
                    candidates.push_back(arith::ConstantOp::create(
                        b, l,
                        DenseElementsAttr::get(
                            f32Vec,
                            thresholds[c * (kBuckets - 1) + first + j])));
                  Value thr = selectByOutcomes(b, l, candidates, outcomes);
                  Value above = arith::CmpFOp::create(
                      b, l, arith::CmpFPredicate::OGT, x, thr);
                  outcomes.push_back(above);
                  code = arith::AddIOp::create(
                      b, l, arith::AddIOp::create(b, l, code, code),
                      arith::ExtUIOp::create(b, l, i32Vec, above));
                }
                block = vector::InsertOp::create(
                    b, l, arith::TruncIOp::create(b, l, byteVec, code), block,
                    c);
              }
              Value byRow = vector::TransposeOp::create(
                  b, l, block, ArrayRef<int64_t>{1, 0});
              Value written =
                  vector::TransferWriteOp::create(b, l, byRow, acc[0],
                                                  ValueRange{r0, idx(b, 0)},
                                                  ArrayRef<bool>{false, true})
                      .getResult();
              scf::YieldOp::create(b, l, written);
            })
            .getResult(0);
    rewriter.replaceOp(op, codes);
    return success();
  }
};

/// The narrowest chunk of outputs the loads kernel reads.
constexpr int64_t kMinChunk = 16;

} // namespace

/// The loads kernel's chunks of `outputs` as (first output, width): `lanes`
/// wide, the last one only as wide as the power of two (at least kMinChunk)
/// that holds the rest. Every chunk costs a load and an average per
/// codebook whatever its width, so fewer chunks beat less padding (100
/// outputs in 64 lanes: 2 x 64, 15% faster than 64 + 32 + 16 on Zen 5).
static SmallVector<std::pair<int64_t, int64_t>> outputChunks(int64_t outputs,
                                                             int64_t lanes) {
  SmallVector<std::pair<int64_t, int64_t>> chunks;
  for (int64_t col = 0, width = 0; col < outputs; col += width) {
    width = std::min<int64_t>(
        lanes, std::max<int64_t>(kMinChunk, llvm::PowerOf2Ceil(outputs - col)));
    chunks.push_back({col, width});
  }
  return chunks;
}

/// The table row length the chunks read: outputs plus padding.
static int64_t paddedOutputs(int64_t outputs, int64_t lanes) {
  auto [col, width] = outputChunks(outputs, lanes).back();
  return col + width;
}

/// `op`'s tables with the outputs padded to paddedOutputs, so that every
/// chunk's table read is in bounds (a constant table folds into a padded
/// constant).
static Value paddedTables(PatternRewriter &rewriter, Location loc,
                          LutMatmulOp op, int64_t lanes) {
  auto tablesType = op.getTables().getType();
  int64_t books = tablesType.getDimSize(0), outputs = tablesType.getDimSize(2);
  int64_t padded = paddedOutputs(outputs, lanes);
  Value tables = op.getTables();
  if (padded == outputs)
    return tables;
  Type i8 = rewriter.getI8Type();
  auto paddedType = RankedTensorType::get({books, kBuckets, padded}, i8);
  DenseIntElementsAttr constant;
  if (matchPattern(tables, m_Constant(&constant))) {
    SmallVector<int8_t> entries(books * kBuckets * padded, 0);
    auto values = constant.getValues<int8_t>();
    for (int64_t row = 0; row < books * kBuckets; ++row)
      for (int64_t o = 0; o < outputs; ++o)
        entries[row * padded + o] = values[row * outputs + o];
    return arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(paddedType, ArrayRef<int8_t>(entries)));
  }
  SmallVector<OpFoldResult> low(3, rewriter.getIndexAttr(0));
  SmallVector<OpFoldResult> high(3, rewriter.getIndexAttr(0));
  high[2] = rewriter.getIndexAttr(padded - outputs);
  Value zero =
      arith::ConstantOp::create(rewriter, loc, rewriter.getI8IntegerAttr(0));
  return tensor::PadOp::create(rewriter, loc, paddedType, tables,
                               ArrayRef<OpFoldResult>(low),
                               ArrayRef<OpFoldResult>(high), zero);
}

/// paddedTables flattened: table row (c, code) starts at element
/// (16 c + code) x the padded output count.
static Value flatTables(PatternRewriter &rewriter, Location loc, LutMatmulOp op,
                        int64_t lanes) {
  Value padded = paddedTables(rewriter, loc, op, lanes);
  auto type = cast<RankedTensorType>(padded.getType());
  return tensor::CollapseShapeOp::create(
      rewriter, loc,
      RankedTensorType::get({type.getNumElements()}, type.getElementType()),
      padded, ArrayRef<ReassociationIndices>{{0, 1, 2}});
}

/// One row's outputs, chunk by chunk (outputChunks): per codebook one load
/// from the flat table row that starts at `rowStarts[c]`, widened to 16 bits
/// and added, or, for averaging, combined in the rounding-average tree; then
/// the epilogue if any. Returns (first output, vector) per chunk.
static SmallVector<std::pair<int64_t, Value>>
rowOutputs(OpBuilder &b, Location l, Value tables, ArrayRef<Value> rowStarts,
           int64_t outputs, int64_t lanes, bool exact,
           const std::optional<Epilogue> &epilogue) {
  Type i8 = b.getI8Type();
  int64_t books = rowStarts.size();
  Value pad = arith::ConstantOp::create(b, l, b.getI8IntegerAttr(0));
  SmallVector<std::pair<int64_t, Value>> chunks;
  for (auto [col, width] : outputChunks(outputs, lanes)) {
    auto byteVec = VectorType::get({width}, i8);
    auto wideVec = VectorType::get({width}, b.getI16Type());
    SmallVector<Value> entries;
    for (int64_t c = 0; c < books; ++c)
      entries.push_back(arith::ExtUIOp::create(
          b, l, wideVec,
          vector::TransferReadOp::create(
              b, l, byteVec, tables,
              ValueRange{arith::AddIOp::create(b, l, rowStarts[c],
                                               indexConstant(b, l, col))},
              pad, ArrayRef<bool>{true})));
    Value out;
    if (exact) {
      out = entries[0];
      for (int64_t c = 1; c < books; ++c)
        out = arith::AddIOp::create(b, l, out, entries[c]);
    } else {
      out =
          arith::TruncIOp::create(b, l, byteVec, averageEntries(b, l, entries));
    }
    // The epilogue only on the lanes that hold outputs (in whole groups of
    // kMinChunk): 100 outputs convert 112 lanes, not 128.
    int64_t live =
        std::min<int64_t>(width, llvm::alignTo(outputs - col, kMinChunk));
    if (epilogue && live < width)
      out = vector::ExtractStridedSliceOp::create(
          b, l, out, ArrayRef<int64_t>{0}, ArrayRef<int64_t>{live},
          ArrayRef<int64_t>{1});
    chunks.push_back({col, epilogue ? epilogue->apply(b, l, out) : out});
  }
  return chunks;
}

namespace {

/// Lookups with the outputs in lanes, one row at a time (contiguous row
/// stores; the kernel for many outputs or without byte shuffles).
struct LutMatmulToVector : OpRewritePattern<LutMatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LutMatmulOp op,
                                PatternRewriter &rewriter) const override {
    KernelAttr kernel = kernelOf(op, KernelKind::Loads);
    auto tablesType = op.getTables().getType();
    if (!kernel || !tablesType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "not a loads kernel");
    const int64_t lanes = kernelLanes(kernel);
    LDBG() << "table-loads kernel, " << lanes << " lanes, for " << op;
    Location loc = op.getLoc();
    int64_t books = tablesType.getDimSize(0),
            outputs = tablesType.getDimSize(2);
    bool exact = op.getAccumulation() == LutAccumulation::Exact;
    Value codes = op.getCodes();
    Value tables = flatTables(rewriter, loc, op, lanes);
    const int64_t stride = paddedOutputs(outputs, lanes);
    std::optional<Epilogue> epilogue = Epilogue::match(op.getResult());
    Value sums = forEachRow(
        rewriter, loc, codes, lookupResultType(op, epilogue),
        [&](OpBuilder &b, Location l, Value r, Value result) -> Value {
          SmallVector<Value> rowStarts; // table row per codebook
          for (int64_t c = 0; c < books; ++c) {
            Value code = arith::IndexCastUIOp::create(
                b, l, b.getIndexType(),
                tensor::ExtractOp::create(
                    b, l, codes, ValueRange{r, indexConstant(b, l, c)}));
            rowStarts.push_back(arith::AddIOp::create(
                b, l, indexConstant(b, l, c * kBuckets * stride),
                arith::MulIOp::create(b, l, code,
                                      indexConstant(b, l, stride))));
          }
          for (auto [col, chunk] : rowOutputs(b, l, tables, rowStarts, outputs,
                                              lanes, exact, epilogue))
            result = vector::TransferWriteOp::create(
                         b, l, chunk, result,
                         ValueRange{r, indexConstant(b, l, col)},
                         ArrayRef<bool>{false})
                         .getResult();
          return result;
        });
    replaceLookups(rewriter, op, epilogue, sums);
    return success();
  }
};

} // namespace

/// The tables output-major, [M][C][16], as a buffer: each lookup loads one
/// 16-byte table column.
static Value outputMajorTables(PatternRewriter &rewriter, Location loc,
                               LutMatmulOp op) {
  auto tablesType = op.getTables().getType();
  int64_t books = tablesType.getDimSize(0), outputs = tablesType.getDimSize(2);
  auto transposedType =
      RankedTensorType::get({outputs, books, kBuckets}, rewriter.getI8Type());
  Value tables;
  DenseIntElementsAttr constant;
  if (matchPattern(op.getTables(), m_Constant(&constant))) {
    auto values = constant.getValues<int8_t>();
    SmallVector<int8_t> t(constant.getNumElements());
    for (int64_t c = 0; c < books; ++c)
      for (int64_t q = 0; q < kBuckets; ++q)
        for (int64_t m = 0; m < outputs; ++m)
          t[(m * books + c) * kBuckets + q] =
              values[(c * kBuckets + q) * outputs + m];
    tables = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(transposedType, ArrayRef<int8_t>(t)));
  } else {
    Value empty =
        tensor::EmptyOp::create(rewriter, loc, transposedType, ValueRange());
    tables = linalg::TransposeOp::create(rewriter, loc, op.getTables(), empty,
                                         ArrayRef<int64_t>{2, 0, 1})
                 .getResult()[0];
  }
  return readOnlyBuffer(rewriter, loc, tables);
}

/// Output m of the rows whose codes (one vector per codebook, rows in
/// lanes) are `codeVecs`: per codebook the 16-entry table column is
/// broadcast to every 128-bit lane and one byte shuffle looks up all rows'
/// entries, which are widened and added (exact, 16 bits) or averaged as
/// bytes level by level (vpavgb rounding).
static Value lookupOutput(OpBuilder &b, Location l, Value tabs,
                          ArrayRef<Value> codeVecs, Value m, bool exact) {
  int64_t lanes = cast<VectorType>(codeVecs[0].getType()).getDimSize(0);
  int64_t books = codeVecs.size();
  Type i8 = b.getI8Type();
  auto byteVec = VectorType::get({lanes}, i8);
  auto wideVec = VectorType::get({lanes}, b.getI16Type());
  SmallVector<int64_t> broadcast;
  for (int64_t i = 0; i < lanes; ++i)
    broadcast.push_back(i % kBuckets);
  SmallVector<Value> entries;
  for (int64_t c = 0; c < books; ++c) {
    Value t = vector::LoadOp::create(
        b, l, VectorType::get({kBuckets}, i8), tabs,
        ValueRange{m, indexConstant(b, l, c), indexConstant(b, l, 0)});
    Value wide = vector::ShuffleOp::create(b, l, t, t, broadcast);
    entries.push_back(X86ShuffleBytesOp::create(b, l, wide, codeVecs[c]));
  }
  if (exact) {
    Value result = arith::ExtUIOp::create(b, l, wideVec, entries[0]);
    for (int64_t c = 1; c < books; ++c)
      result = arith::AddIOp::create(
          b, l, result, arith::ExtUIOp::create(b, l, wideVec, entries[c]));
    return result;
  }
  entries.resize(numerics::averagedCodebooks(books), splat(b, l, byteVec, 0));
  Value one = splat(b, l, wideVec, 1);
  while (entries.size() > 1) {
    SmallVector<Value> next;
    for (size_t j = 0; j < entries.size(); j += 2) {
      Value s = arith::AddIOp::create(
          b, l,
          arith::AddIOp::create(
              b, l, arith::ExtUIOp::create(b, l, wideVec, entries[j]),
              arith::ExtUIOp::create(b, l, wideVec, entries[j + 1])),
          one);
      next.push_back(arith::TruncIOp::create(
          b, l, byteVec, arith::ShRUIOp::create(b, l, s, one)));
    }
    entries = std::move(next);
  }
  return entries[0];
}

/// Lanes [0, count) of `result` into column m of `out`, rows r0 + lane.
static void storeColumn(OpBuilder &b, Location l, Value result, Value out,
                        Value r0, Value m, int64_t count) {
  for (int64_t i = 0; i < count; ++i)
    memref::StoreOp::create(
        b, l, vector::ExtractOp::create(b, l, result, i), out,
        ValueRange{arith::AddIOp::create(b, l, r0, indexConstant(b, l, i)), m});
}

namespace {

using ScratchSetup = function_ref<SmallVector<Value>(OpBuilder &, Location)>;
using RowBlockBody = function_ref<void(OpBuilder &, Location, Value, int64_t,
                                       bool, ArrayRef<Value>)>;

} // namespace

/// scf.for over the full blocks of `lanes` of `rows` rows, then the partial
/// block if any: body(r0, count, inBounds, scratch) with the scratch buffers
/// that `setup` makes. With threads, the full blocks are split into as many
/// contiguous chunks under an scf.parallel (OpenMP), each thread with its
/// own scratch; the partial block follows on the calling thread.
static void forEachRowBlock(OpBuilder &b, Location loc, int64_t rows,
                            int64_t lanes, int64_t threads, ScratchSetup setup,
                            RowBlockBody body) {
  int64_t blocks = rows / lanes, fullRows = blocks * lanes;
  auto blockLoop = [&](OpBuilder &b, Location l, Value begin, Value end,
                       ArrayRef<Value> scratch) {
    scf::ForOp::create(b, l, begin, end, indexConstant(b, l, lanes),
                       ValueRange(),
                       [&](OpBuilder &b, Location l, Value r0, ValueRange) {
                         body(b, l, r0, lanes, true, scratch);
                         scf::YieldOp::create(b, l);
                       });
  };
  SmallVector<Value> scratch;
  if (threads > 1 && blocks >= threads) {
    forEachThreadChunk(
        b, loc, fullRows, threads, lanes,
        [&](OpBuilder &b, Location l, Value, Value begin, Value end) {
          blockLoop(b, l, begin, end, setup(b, l));
        });
  } else if (blocks > 0) {
    scratch = setup(b, loc);
    blockLoop(b, loc, indexConstant(b, loc, 0), indexConstant(b, loc, fullRows),
              scratch);
  }
  if (fullRows < rows) {
    if (scratch.empty())
      scratch = setup(b, loc);
    body(b, loc, indexConstant(b, loc, fullRows), rows - fullRows, false,
         scratch);
  }
}

/// The 16 x 16 transpose of `rows` (16 vectors of 16 lanes) by block
/// swaps of halves, quarters, ...: 64 two-source shuffles.
static SmallVector<Value> transpose16(OpBuilder &b, Location l,
                                      SmallVector<Value> rows) {
  for (int64_t h = 8; h >= 1; h /= 2) {
    SmallVector<int64_t> low, high;
    for (int64_t j = 0; j < 16; ++j) {
      low.push_back((j & h) ? 16 + j - h : j);
      high.push_back((j & h) ? 16 + j : j + h);
    }
    for (int64_t i = 0; i < 16; ++i) {
      if (i & h)
        continue;
      Value a = rows[i], c = rows[i + h];
      rows[i] = vector::ShuffleOp::create(b, l, a, c, low);
      rows[i + h] = vector::ShuffleOp::create(b, l, a, c, high);
    }
  }
  return rows;
}

/// Where a block's results (sums, averages or the epilogue's) wait to be
/// transposed into rows: one 16-multiple of outputs by `lanes` rows of
/// `elementType`, on the stack, zeroed.
static Value transposeScratch(OpBuilder &b, Location loc, Type elementType,
                              int64_t outputs, int64_t lanes) {
  int64_t padded = (outputs + 15) / 16 * 16;
  auto type = MemRefType::get({padded, lanes}, elementType);
  Value scratch = memref::AllocaOp::create(b, loc, type, ValueRange(),
                                           b.getI64IntegerAttr(64));
  Value zero = arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(VectorType::get({lanes}, elementType),
                             b.getZeroAttr(elementType)));
  for (int64_t m = 0; m < padded; ++m)
    vector::StoreOp::create(
        b, loc, zero, scratch,
        ValueRange{indexConstant(b, loc, m), indexConstant(b, loc, 0)});
  return scratch;
}

/// Loop over outputs: lookupOutput and the epilogue if any. For a full
/// block the outputs are gathered in `scratch` and written as rows through
/// 16 x 16 transposes (contiguous, masked past the last output); a partial
/// block stores each output column element by element.
static void lookupAndStore(OpBuilder &b, Location loc, Value tabs, Value out,
                           ArrayRef<Value> codeVecs, Value r0, int64_t count,
                           int64_t outputs, bool exact,
                           const std::optional<Epilogue> &epilogue,
                           Value scratch) {
  int64_t lanes = cast<VectorType>(codeVecs[0].getType()).getDimSize(0);
  bool transposed = count == lanes;
  scf::ForOp::create(
      b, loc, indexConstant(b, loc, 0), indexConstant(b, loc, outputs),
      indexConstant(b, loc, 1), ValueRange(),
      [&](OpBuilder &b, Location l, Value m, ValueRange) {
        Value result = lookupOutput(b, l, tabs, codeVecs, m, exact);
        if (epilogue)
          result = epilogue->apply(b, l, result);
        if (transposed)
          vector::StoreOp::create(b, l, result, scratch,
                                  ValueRange{m, indexConstant(b, l, 0)});
        else
          storeColumn(b, l, result, out, r0, m, count);
        scf::YieldOp::create(b, l);
      });
  if (!transposed)
    return;
  auto part = VectorType::get(
      {16}, cast<MemRefType>(scratch.getType()).getElementType());
  for (int64_t q = 0; q < outputs; q += 16)
    for (int64_t p = 0; p < lanes; p += 16) {
      SmallVector<Value> rows;
      for (int64_t j = 0; j < 16; ++j)
        rows.push_back(
            vector::LoadOp::create(b, loc, part, scratch,
                                   ValueRange{indexConstant(b, loc, q + j),
                                              indexConstant(b, loc, p)}));
      SmallVector<Value> byRow = transpose16(b, loc, rows);
      for (int64_t r = 0; r < 16; ++r)
        vector::TransferWriteOp::create(
            b, loc, byRow[r], out,
            ValueRange{
                arith::AddIOp::create(b, loc, r0, indexConstant(b, loc, p + r)),
                indexConstant(b, loc, q)},
            ArrayRef<bool>{q + 16 <= outputs});
    }
}

namespace {

using BlockCodes =
    function_ref<SmallVector<Value>(OpBuilder &, Location, Value, bool)>;
using EncodeTile =
    function_ref<void(OpBuilder &, Location, Value, int64_t, bool, Value)>;

} // namespace

/// The shuffle lookups of `op` over its blocks of `lanes` rows, the codes of
/// each block (one byte vector per codebook) from `blockCodes(r0,
/// inBounds)`, or, with `encodeTile`, from a codebook-major byte scratch
/// that `encodeTile(r0, rows, inBounds, scratch)` fills for tiles of
/// kEncodeTile rows; writes the sums, or the epilogue's result, and
/// replaces them.
static void shuffleLookups(PatternRewriter &rewriter, LutMatmulOp op,
                           int64_t lanes, int64_t threads,
                           BlockCodes blockCodes,
                           EncodeTile encodeTile = nullptr) {
  Location loc = op.getLoc();
  auto resultType = op.getResult().getType();
  int64_t rows = resultType.getDimSize(0),
          books = op.getTables().getType().getDimSize(0),
          outputs = op.getTables().getType().getDimSize(2);
  bool exact = op.getAccumulation() == LutAccumulation::Exact;
  Value tabs = outputMajorTables(rewriter, loc, op);
  std::optional<Epilogue> epilogue = Epilogue::match(op.getResult());
  RankedTensorType outType = lookupResultType(op, epilogue);
  Value out = resultBuffer(rewriter, loc, outType);
  auto lookupBlock = [&](OpBuilder &b, Location l, ArrayRef<Value> codeVecs,
                         Value r0, int64_t count, Value scratch) {
    lookupAndStore(b, l, tabs, out, codeVecs, r0, count, outputs, exact,
                   epilogue, scratch);
  };
  if (!encodeTile) {
    forEachRowBlock(
        rewriter, loc, rows, lanes, threads,
        [&](OpBuilder &b, Location l) -> SmallVector<Value> {
          return {
              transposeScratch(b, l, outType.getElementType(), outputs, lanes)};
        },
        [&](OpBuilder &b, Location l, Value r0, int64_t count, bool inBounds,
            ArrayRef<Value> scratch) {
          lookupBlock(b, l, blockCodes(b, l, r0, inBounds), r0, count,
                      scratch[0]);
        });
  } else {
    forEachRowBlock(
        rewriter, loc, rows, kEncodeTile, threads,
        [&](OpBuilder &b, Location l) -> SmallVector<Value> {
          return {
              transposeScratch(b, l, outType.getElementType(), outputs, lanes),
              memref::AllocaOp::create(
                  b, l, MemRefType::get({books, kEncodeTile}, b.getI8Type()),
                  ValueRange(), b.getI64IntegerAttr(64))};
        },
        [&](OpBuilder &b, Location l, Value r0, int64_t count, bool inBounds,
            ArrayRef<Value> scratch) {
          encodeTile(b, l, r0, llvm::alignTo(count, lanes), inBounds,
                     scratch[1]);
          auto codesAt = [&](OpBuilder &b, Location l, Value first) {
            SmallVector<Value> codeVecs;
            for (int64_t c = 0; c < books; ++c)
              codeVecs.push_back(vector::LoadOp::create(
                  b, l, VectorType::get({lanes}, b.getI8Type()), scratch[1],
                  ValueRange{indexConstant(b, l, c), first}));
            return codeVecs;
          };
          int64_t full = count / lanes * lanes;
          if (full > 0)
            scf::ForOp::create(
                b, l, indexConstant(b, l, 0), indexConstant(b, l, full),
                indexConstant(b, l, lanes), ValueRange(),
                [&](OpBuilder &b, Location l, Value first, ValueRange) {
                  lookupBlock(b, l, codesAt(b, l, first),
                              arith::AddIOp::create(b, l, r0, first), lanes,
                              scratch[0]);
                  scf::YieldOp::create(b, l);
                });
          if (full < count) {
            Value first = indexConstant(b, l, full);
            lookupBlock(b, l, codesAt(b, l, first),
                        arith::AddIOp::create(b, l, r0, first), count - full,
                        scratch[0]);
          }
        });
  }
  replaceLookups(rewriter, op, epilogue,
                 resultTensor(rewriter, loc, outType, out));
}

namespace {

/// Byte-shuffle lookups (vpshufb), rows in lanes, for few outputs: per
/// block of `lanes` rows the codes are transposed codebook-major once, then
/// lookupOutput per output; each output column of the block is stored row
/// by row. With many outputs the loads of LutMatmulToVector (outputs in
/// lanes) do the same lookups with contiguous stores, so this kernel takes
/// at most kShuffleMaxOutputs.
struct LutMatmulToShuffles : OpRewritePattern<LutMatmulOp> {
  LutMatmulToShuffles(MLIRContext *ctx)
      : OpRewritePattern(ctx, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(LutMatmulOp op,
                                PatternRewriter &rewriter) const override {
    KernelAttr kernel = kernelOf(op, KernelKind::Shuffle);
    auto codesType = op.getCodes().getType();
    auto tablesType = op.getTables().getType();
    if (!kernel || !codesType.hasStaticShape() ||
        !tablesType.hasStaticShape() ||
        tablesType.getDimSize(2) > kShuffleMaxOutputs)
      return rewriter.notifyMatchFailure(op, "not a shuffle kernel");
    const int64_t lanes = kernelLanes(kernel), threads = kernel.getThreads();
    LDBG() << "shuffle kernel, " << lanes << " lanes x " << threads
           << " threads, for " << op;
    int64_t books = codesType.getDimSize(1);
    Value codes = readOnlyBuffer(rewriter, op.getLoc(), op.getCodes());
    shuffleLookups(
        rewriter, op, lanes, threads,
        [&](OpBuilder &b, Location l, Value r0, bool inBounds) {
          Value pad = arith::ConstantOp::create(b, l, b.getI8IntegerAttr(0));
          Value block = vector::TransferReadOp::create(
              b, l, VectorType::get({lanes, books}, b.getI8Type()), codes,
              ValueRange{r0, indexConstant(b, l, 0)}, pad,
              ArrayRef<bool>{inBounds, true});
          Value byBook =
              vector::TransposeOp::create(b, l, block, ArrayRef<int64_t>{1, 0});
          SmallVector<Value> codeVecs;
          for (int64_t c = 0; c < books; ++c)
            codeVecs.push_back(vector::ExtractOp::create(b, l, byBook, c));
          return codeVecs;
        });
    return success();
  }
};

} // namespace

/// Whether `kernel` may use AVX-512 (f32 permutes in the fused encoders).
static bool hasAvx512(KernelAttr kernel) {
  return kernel.getIsa() == KernelIsa::Avx512;
}

/// With AVX-512: one codebook's codes of the 16 rows from `row` on, as i32
/// lanes. The code is built in place, most significant bit first: level t's
/// outcome sets bit 3 - t (an or of a constant under the compare's mask),
/// so the partial code is already the node shifted up, and level t's
/// threshold is one mmfree.x86_permute_lanes of a 16-entry table holding
/// threshold[node] at every index whose top t bits are the node: no
/// doubling, no widening of the outcome.
static Value encodePartNode(OpBuilder &b, Location l, Value input, Value row,
                            bool inBounds, ArrayRef<int64_t> dims,
                            ArrayRef<float> thresholds) {
  auto f32Vec = VectorType::get({kEncodePart}, b.getF32Type());
  auto i32Vec = VectorType::get({kEncodePart}, b.getI32Type());
  Value pad = arith::ConstantOp::create(b, l, b.getF32FloatAttr(0.f));
  Value code = splat(b, l, i32Vec, 0);
  for (int64_t t = 0; t < kTreeDepth; ++t) {
    Value x = vector::TransferReadOp::create(
        b, l, f32Vec, input, ValueRange{indexConstant(b, l, dims[t]), row}, pad,
        ArrayRef<bool>{inBounds});
    int64_t shift = kTreeDepth - t; // bits below the node in the code
    SmallVector<float> table;
    for (int64_t i = 0; i < kBuckets; ++i)
      table.push_back(thresholds[(int64_t(1) << t) - 1 + (i >> shift)]);
    Value threshold = arith::ConstantOp::create(
        b, l, DenseElementsAttr::get(f32Vec, ArrayRef<float>(table)));
    if (t > 0)
      threshold = X86PermuteLanesOp::create(b, l, threshold, code);
    Value above =
        arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x, threshold);
    code = arith::SelectOp::create(
        b, l, above,
        arith::OrIOp::create(b, l, code,
                             splat(b, l, i32Vec, int64_t(1) << (shift - 1))),
        code);
  }
  return code;
}

/// Without AVX-512: one codebook's codes of rows [r0, r0 + lanes) as bytes,
/// 16 rows per f32 compare; per level the node threshold is chosen among
/// the level's constants by selects on the earlier outcomes, and code =
/// code + code + bit runs on all lanes at once (the parts' outcome masks
/// concatenated).
static Value encodeBlock(OpBuilder &b, Location l, Value input, Value r0,
                         bool inBounds, ArrayRef<int64_t> dims,
                         ArrayRef<float> thresholds, int64_t lanes) {
  auto f32Vec = VectorType::get({kEncodePart}, b.getF32Type());
  Value pad = arith::ConstantOp::create(b, l, b.getF32FloatAttr(0.f));
  // Outcomes per part (each part's thresholds follow its own outcomes).
  SmallVector<SmallVector<Value>> outcomes(lanes / kEncodePart);
  for (int64_t p = 0; p < lanes / kEncodePart; ++p) {
    Value row =
        arith::AddIOp::create(b, l, r0, indexConstant(b, l, p * kEncodePart));
    for (int64_t t = 0; t < kTreeDepth; ++t) {
      Value x = vector::TransferReadOp::create(
          b, l, f32Vec, input, ValueRange{indexConstant(b, l, dims[t]), row},
          pad, ArrayRef<bool>{inBounds});
      SmallVector<Value> candidates;
      for (float v : thresholds.slice((int64_t(1) << t) - 1, int64_t(1) << t))
        candidates.push_back(
            arith::ConstantOp::create(b, l, DenseElementsAttr::get(f32Vec, v)));
      outcomes[p].push_back(arith::CmpFOp::create(
          b, l, arith::CmpFPredicate::OGT, x,
          selectByOutcomes(b, l, candidates, outcomes[p])));
    }
  }
  auto byteVec = VectorType::get({lanes}, b.getI8Type());
  Value code = splat(b, l, byteVec, 0);
  for (int64_t t = 0; t < kTreeDepth; ++t) {
    SmallVector<Value> masks;
    for (auto &part : outcomes)
      masks.push_back(part[t]);
    while (masks.size() > 1) {
      SmallVector<Value> next;
      for (size_t i = 0; i < masks.size(); i += 2) {
        int64_t n = cast<VectorType>(masks[i].getType()).getDimSize(0);
        next.push_back(vector::ShuffleOp::create(
            b, l, masks[i], masks[i + 1],
            llvm::to_vector(llvm::seq<int64_t>(0, 2 * n))));
      }
      masks = std::move(next);
    }
    code =
        arith::AddIOp::create(b, l, arith::AddIOp::create(b, l, code, code),
                              arith::ExtUIOp::create(b, l, byteVec, masks[0]));
  }
  return code;
}

/// The trees of a fusable encode as constants.
static void encodeTrees(LutEncodeOp encode, SmallVectorImpl<int64_t> &dims,
                        SmallVectorImpl<float> &thresholds) {
  DenseIntElementsAttr dimValues;
  DenseFPElementsAttr thrValues;
  matchPattern(encode.getDims(), m_Constant(&dimValues));
  matchPattern(encode.getThresholds(), m_Constant(&thrValues));
  for (const APInt &v : dimValues.getValues<APInt>())
    dims.push_back(v.getSExtValue());
  thresholds.append(thrValues.getValues<float>().begin(),
                    thrValues.getValues<float>().end());
}

namespace {

/// The fused kernels' encode of a lut_encode's column-major rows, one
/// codebook at a time: `part` rows per step, 16 with AVX-512
/// (encodePartNode), else `lanes` (encodeBlock).
struct TileEncoder {
  TileEncoder(PatternRewriter &rewriter, LutEncodeOp encode, bool permute,
              int64_t lanes)
      : input(readOnlyBuffer(rewriter, encode.getLoc(), encode.getInput())),
        permute(permute), part(permute ? kEncodePart : lanes) {
    encodeTrees(encode, dims, thresholds);
  }

  /// Codebook c's codes of the `part` rows from `row` on, in lanes of the
  /// integer `type`.
  Value codes(OpBuilder &b, Location l, Value row, bool inBounds, int64_t c,
              Type type) const {
    ArrayRef<int64_t> treeDims =
        ArrayRef(dims).slice(c * kTreeDepth, kTreeDepth);
    ArrayRef<float> treeThresholds =
        ArrayRef(thresholds).slice(c * (kBuckets - 1), kBuckets - 1);
    Value codes = permute ? encodePartNode(b, l, input, row, inBounds, treeDims,
                                           treeThresholds)
                          : encodeBlock(b, l, input, row, inBounds, treeDims,
                                        treeThresholds, part);
    auto vecType = VectorType::get({part}, type);
    unsigned from = getElementTypeOrSelf(codes).getIntOrFloatBitWidth();
    if (from > type.getIntOrFloatBitWidth())
      return arith::TruncIOp::create(b, l, vecType, codes);
    if (from < type.getIntOrFloatBitWidth())
      return arith::ExtUIOp::create(b, l, vecType, codes);
    return codes;
  }

  /// For each of `count` table rows (codebooks or pairs), an scf.for over
  /// the steps that cover rows [0, rows): body(c, first row of the step).
  void forEachStep(
      OpBuilder &b, Location l, int64_t count, int64_t rows,
      function_ref<void(OpBuilder &, Location, int64_t, Value)> body) const {
    for (int64_t c = 0; c < count; ++c)
      scf::ForOp::create(
          b, l, indexConstant(b, l, 0),
          indexConstant(b, l, llvm::alignTo(rows, part)),
          indexConstant(b, l, part), ValueRange(),
          [&](OpBuilder &b, Location l, Value first, ValueRange) {
            body(b, l, c, first);
            scf::YieldOp::create(b, l);
          });
  }

  Value input;
  SmallVector<int64_t> dims;
  SmallVector<float> thresholds;
  bool permute;
  int64_t part;
};

/// Column-major encoding fused with the shuffle lookups: when lut_matmul's
/// codes come from a lut_encode of column-major rows used only here, each
/// tile of kEncodeTile rows is encoded codebook by codebook into a small
/// codebook-major byte scratch (16 rows per f32 compare with AVX-512), from
/// which each block of `lanes` rows loads one byte vector per codebook that
/// the lookups index without a transpose; no codes tensor.
struct LutEncodeAndShuffles : OpRewritePattern<LutMatmulOp> {
  LutEncodeAndShuffles(MLIRContext *ctx)
      : OpRewritePattern(ctx, /*benefit=*/3) {}

  LogicalResult matchAndRewrite(LutMatmulOp op,
                                PatternRewriter &rewriter) const override {
    KernelAttr kernel = kernelOf(op, KernelKind::Shuffle);
    LutEncodeOp encode = fusableLutEncode(op);
    if (!kernel || !encode ||
        op.getTables().getType().getDimSize(2) > kShuffleMaxOutputs)
      return rewriter.notifyMatchFailure(
          op, "not a shuffle kernel with a fusable column-major encode");
    const int64_t lanes = kernelLanes(kernel), threads = kernel.getThreads();
    int64_t books = op.getTables().getType().getDimSize(0);
    TileEncoder encoder(rewriter, encode, hasAvx512(kernel), lanes);
    // One codebook at a time over the tile (its 4 split columns are the
    // only streams read), codes stored as bytes.
    shuffleLookups(
        rewriter, op, lanes, threads, nullptr,
        [&](OpBuilder &b, Location l, Value r0, int64_t tileRows, bool inBounds,
            Value codes) {
          encoder.forEachStep(
              b, l, books, tileRows,
              [&](OpBuilder &b, Location l, int64_t c, Value first) {
                vector::StoreOp::create(
                    b, l,
                    encoder.codes(b, l, arith::AddIOp::create(b, l, r0, first),
                                  inBounds, c, b.getI8Type()),
                    codes, ValueRange{indexConstant(b, l, c), first});
              });
        });
    rewriter.eraseOp(encode);
    return success();
  }
};

} // namespace

/// For averaging with constant tables: the first level of the average tree
/// precomputed, one table per codebook pair (2p, 2p + 1) indexed by
/// 16 code(2p) + code(2p + 1) that holds the rounded average of the two
/// entries (an odd last codebook pairs with the zero padding), flat with
/// rows of `stride`. The lookups then load one entry per pair: half the
/// loads and averages, bit for bit the same tree (averageEntries pairs
/// (0, 1), (2, 3), ... first). Null when not applicable or larger than
/// `maxBytes` (beyond half the L2, the tables' misses cost more than the
/// loads they save).
static Value pairTables(PatternRewriter &rewriter, Location loc, LutMatmulOp op,
                        int64_t stride, int64_t maxBytes) {
  DenseIntElementsAttr constant;
  if (op.getAccumulation() != LutAccumulation::Average ||
      !matchPattern(op.getTables(), m_Constant(&constant)))
    return nullptr;
  auto tablesType = op.getTables().getType();
  int64_t books = tablesType.getDimSize(0), outputs = tablesType.getDimSize(2);
  int64_t pairs = llvm::divideCeil(books, 2);
  int64_t bytes = pairs * kBuckets * kBuckets * stride;
  if (books < 2 || bytes > maxBytes)
    return nullptr;
  auto values = constant.getValues<uint8_t>();
  auto entry = [&](int64_t c, int64_t code, int64_t o) -> unsigned {
    return c < books ? values[(c * kBuckets + code) * outputs + o] : 0;
  };
  SmallVector<int8_t> flat(bytes, 0);
  for (int64_t p = 0; p < pairs; ++p)
    for (int64_t a = 0; a < kBuckets; ++a)
      for (int64_t b = 0; b < kBuckets; ++b)
        for (int64_t o = 0; o < outputs; ++o)
          flat[((p * kBuckets + a) * kBuckets + b) * stride + o] =
              int8_t((entry(2 * p, a, o) + entry(2 * p + 1, b, o) + 1) >> 1);
  return arith::ConstantOp::create(
      rewriter, loc,
      DenseElementsAttr::get(
          RankedTensorType::get({bytes}, rewriter.getI8Type()),
          ArrayRef<int8_t>(flat)));
}

namespace {

/// Column-major encoding fused with the loads kernel (many outputs, or no
/// byte shuffles): per tile of kEncodeTile rows, codebook (or pair) by
/// codebook, the codes are built in vectors and stored in a codebook-major
/// stack scratch as the start of the table row each picks (i32), from which
/// the tile's rows take them with one scalar load per table row; no codes
/// tensor, no transposes.
struct LutEncodeAndLoads : OpRewritePattern<LutMatmulOp> {
  LutEncodeAndLoads(MLIRContext *ctx, CpuTargetAttr target)
      : OpRewritePattern(ctx, /*benefit=*/3),
        maxPairTableBytes(target.getL2Bytes() / 2) {}

  /// The largest pair tables worth their cache footprint.
  int64_t maxPairTableBytes;

  LogicalResult matchAndRewrite(LutMatmulOp op,
                                PatternRewriter &rewriter) const override {
    KernelAttr kernel = kernelOf(op, KernelKind::Loads);
    LutEncodeOp encode = fusableLutEncode(op);
    if (!kernel || !encode)
      return rewriter.notifyMatchFailure(
          op, "not a loads kernel with a fusable column-major encode");
    const int64_t lanes = kernelLanes(kernel), threads = kernel.getThreads();
    int64_t outputs = op.getTables().getType().getDimSize(2);
    Location loc = op.getLoc();
    auto resultType = op.getResult().getType();
    int64_t rows = resultType.getDimSize(0),
            books = op.getTables().getType().getDimSize(0);
    bool exact = op.getAccumulation() == LutAccumulation::Exact;
    TileEncoder encoder(rewriter, encode, hasAvx512(kernel), lanes);
    const int64_t stride = paddedOutputs(outputs, lanes);
    std::optional<Epilogue> epilogue = Epilogue::match(op.getResult());
    Value pairs = pairTables(rewriter, loc, op, stride, maxPairTableBytes);
    Value tables = readOnlyBuffer(
        rewriter, loc, pairs ? pairs : flatTables(rewriter, loc, op, lanes));
    // One table row per codebook, or per pair.
    const int64_t lookups = pairs ? llvm::divideCeil(books, 2) : books;
    Value out = resultBuffer(rewriter, loc, lookupResultType(op, epilogue));
    forEachRowBlock(
        rewriter, loc, rows, kEncodeTile, threads,
        [&](OpBuilder &b, Location l) -> SmallVector<Value> {
          return {memref::AllocaOp::create(
              b, l, MemRefType::get({lookups, kEncodeTile}, b.getI32Type()),
              ValueRange(), b.getI64IntegerAttr(64))};
        },
        [&](OpBuilder &b, Location l, Value r0, int64_t count, bool inBounds,
            ArrayRef<Value> scratchBuffers) {
          Value scratch = scratchBuffers[0];
          // Row starts (16 c + code) x stride, or (256 p + 16 code(2p) +
          // code(2p + 1)) x stride with pair tables, in i32 vectors (the
          // rows then need no address arithmetic), one table row (codebook
          // or pair) at a time over the whole tile (see kEncodeTile).
          Type i32 = b.getI32Type();
          encoder.forEachStep(
              b, l, lookups, count,
              [&](OpBuilder &b, Location l, int64_t c, Value first) {
                Value row = arith::AddIOp::create(b, l, r0, first);
                Value index =
                    encoder.codes(b, l, row, inBounds, pairs ? 2 * c : c, i32);
                auto vecType = cast<VectorType>(index.getType());
                int64_t rowsBefore = c * kBuckets;
                if (pairs) {
                  index = arith::MulIOp::create(b, l, index,
                                                splat(b, l, vecType, kBuckets));
                  if (2 * c + 1 < books)
                    index = arith::AddIOp::create(
                        b, l, index,
                        encoder.codes(b, l, row, inBounds, 2 * c + 1, i32));
                  rowsBefore *= kBuckets;
                }
                vector::StoreOp::create(
                    b, l,
                    arith::MulIOp::create(
                        b, l,
                        arith::AddIOp::create(b, l, index,
                                              splat(b, l, vecType, rowsBefore)),
                        splat(b, l, vecType, stride)),
                    scratch, ValueRange{indexConstant(b, l, c), first});
              });
          scf::ForOp::create(
              b, l, indexConstant(b, l, 0), indexConstant(b, l, count),
              indexConstant(b, l, 1), ValueRange(),
              [&](OpBuilder &b, Location l, Value i, ValueRange) {
                SmallVector<Value> rowStarts;
                for (int64_t c = 0; c < lookups; ++c)
                  rowStarts.push_back(arith::IndexCastUIOp::create(
                      b, l, b.getIndexType(),
                      memref::LoadOp::create(
                          b, l, scratch,
                          ValueRange{indexConstant(b, l, c), i})));
                Value row = arith::AddIOp::create(b, l, r0, i);
                for (auto [col, chunk] :
                     rowOutputs(b, l, tables, rowStarts, outputs, lanes, exact,
                                epilogue))
                  vector::TransferWriteOp::create(
                      b, l, chunk, out,
                      ValueRange{row, indexConstant(b, l, col)},
                      ArrayRef<bool>{false});
                scf::YieldOp::create(b, l);
              });
        });
    replaceLookups(
        rewriter, op, epilogue,
        resultTensor(rewriter, loc, lookupResultType(op, epilogue), out));
    rewriter.eraseOp(encode);
    return success();
  }
};

} // namespace

void mmfree::populateLutToVectorPatterns(RewritePatternSet &patterns,
                                         CpuTargetAttr target) {
  patterns.add<LutEncodeToVector, LutMatmulToVector, LutEncodeColumnsToVector,
               LutMatmulToShuffles, LutEncodeAndShuffles>(
      patterns.getContext());
  patterns.add<LutEncodeAndLoads>(patterns.getContext(), target);
}
