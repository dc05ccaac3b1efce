//===- MMFreeTiling.cpp - TilingInterface and shape reification -----------===//
//
// The mmfree ops as upstream tiling sees them, so that scf::tileUsingSCF,
// tile-and-fuse and the transform dialect's structured ops work on them:
//  - quantize_rows, lut_encode: one parallel loop over rows (a row needs
//    all its columns);
//  - ternary_matmul, lut_matmul, dequantize: parallel loops over the two
//    result dimensions (one external model, ResultLoopsTiling); the
//    reduction stays inside the op, because ternary_matmul and lut_matmul
//    have no accumulator operand;
//  - lmul_matmul (destination style): M and N parallel and K a reduction,
//    tiled sequentially in increasing k, which keeps its f32 sums in the
//    reference order and so bit-exact.
// A tile is the same op on slices of its operands. Packed weights and tables
// must keep static shapes: a tile that cuts them into a dynamic size fails
// (choose channel tiles that divide N).
//
//===----------------------------------------------------------------------===//

#include "mmfree/Dialect/MMFree/IR/MMFree.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mmfree;

/// Sizes known at compile time as attributes, so that slices get static
/// types.
static SmallVector<OpFoldResult> foldSizes(OpBuilder &b,
                                           ArrayRef<OpFoldResult> sizes) {
  SmallVector<OpFoldResult> out;
  for (OpFoldResult size : sizes) {
    std::optional<int64_t> known = getConstantIntValue(size);
    out.push_back(known ? OpFoldResult(b.getIndexAttr(*known)) : size);
  }
  return out;
}

/// Size `dim` of `value` as an attribute when static.
static OpFoldResult dimOf(OpBuilder &b, Location loc, Value value,
                          int64_t dim) {
  return tensor::getMixedSize(b, loc, value, dim);
}

/// The tile [offsets, offsets + sizes) of `value`.
static Value slice(OpBuilder &b, Location loc, Value value,
                   ArrayRef<OpFoldResult> offsets, ArrayRef<OpFoldResult> sizes,
                   SmallVectorImpl<Operation *> &slices) {
  SmallVector<OpFoldResult> strides(offsets.size(), b.getIndexAttr(1));
  auto op = tensor::ExtractSliceOp::create(b, loc, value, offsets,
                                           foldSizes(b, sizes), strides);
  slices.push_back(op);
  return op;
}

/// The tile [offset, offset + size) of `value` along `dim`, whole along the
/// other dimensions.
static Value sliceAlong(OpBuilder &b, Location loc, Value value, int64_t dim,
                        OpFoldResult offset, OpFoldResult size,
                        SmallVectorImpl<Operation *> &slices) {
  int64_t rank = cast<RankedTensorType>(value.getType()).getRank();
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes;
  for (int64_t d = 0; d < rank; ++d)
    sizes.push_back(dimOf(b, loc, value, d));
  offsets[dim] = offset;
  sizes[dim] = size;
  return slice(b, loc, value, offsets, sizes, slices);
}

/// The static shape of a tile (dynamic where the size is a value).
static SmallVector<int64_t> tileShape(ArrayRef<OpFoldResult> sizes) {
  SmallVector<int64_t> shape;
  for (OpFoldResult size : sizes)
    shape.push_back(getConstantIntValue(size).value_or(ShapedType::kDynamic));
  return shape;
}

static SmallVector<Range> rangesOf(OpBuilder &b, Location loc,
                                   ArrayRef<OpFoldResult> sizes) {
  SmallVector<Range> ranges;
  for (OpFoldResult size : sizes)
    ranges.push_back(Range{b.getIndexAttr(0), size, b.getIndexAttr(1)});
  return ranges;
}

/// The result tile of ops whose loops are the result's dimensions.
static LogicalResult
identityTilePosition(ArrayRef<OpFoldResult> offsets,
                     ArrayRef<OpFoldResult> sizes,
                     SmallVector<OpFoldResult> &resultOffsets,
                     SmallVector<OpFoldResult> &resultSizes) {
  resultOffsets.assign(offsets.begin(), offsets.end());
  resultSizes.assign(sizes.begin(), sizes.end());
  return success();
}

namespace {

/// Every dimension of every result: an attribute when static, else the
/// matching dimension of `sources[result][dim]` (value, dimension).
using DimSource = std::pair<Value, int64_t>;
} // namespace

static LogicalResult reify(OpBuilder &b, Operation *op,
                           ArrayRef<SmallVector<DimSource>> sources,
                           ReifiedRankedShapedTypeDims &shapes) {
  for (auto [result, dims] : llvm::zip_equal(op->getResults(), sources)) {
    auto type = cast<RankedTensorType>(result.getType());
    SmallVector<OpFoldResult> shape;
    for (auto [i, source] : llvm::enumerate(dims))
      shape.push_back(type.isDynamicDim(i)
                          ? dimOf(b, op->getLoc(), source.first, source.second)
                          : b.getIndexAttr(type.getDimSize(i)));
    shapes.push_back(shape);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// quantize_rows: rows
//===----------------------------------------------------------------------===//

SmallVector<utils::IteratorType> QuantizeRowsOp::getLoopIteratorTypes() {
  return {utils::IteratorType::parallel};
}

SmallVector<Range> QuantizeRowsOp::getIterationDomain(OpBuilder &b) {
  return rangesOf(b, getLoc(), {dimOf(b, getLoc(), getInput(), 0)});
}

FailureOr<TilingResult>
QuantizeRowsOp::getTiledImplementation(OpBuilder &b,
                                       ArrayRef<OpFoldResult> offsets,
                                       ArrayRef<OpFoldResult> sizes) {
  Location loc = getLoc();
  SmallVector<Operation *> slices;
  OpFoldResult cols = dimOf(b, loc, getInput(), 1);
  Value input = slice(b, loc, getInput(), {offsets[0], b.getIndexAttr(0)},
                      {sizes[0], cols}, slices);
  auto inputType = cast<RankedTensorType>(input.getType());
  auto quantizedType = RankedTensorType::get(
      inputType.getShape(), getQuantized().getType().getElementType());
  auto scaleType = RankedTensorType::get({inputType.getDimSize(0)},
                                         getScale().getType().getElementType());
  auto tiled =
      QuantizeRowsOp::create(b, loc, TypeRange{quantizedType, scaleType},
                             ValueRange{input}, getOperation()->getAttrs());
  return TilingResult{{tiled}, SmallVector<Value>(tiled->getResults()), slices};
}

LogicalResult QuantizeRowsOp::getResultTilePosition(
    OpBuilder &b, unsigned resultNumber, ArrayRef<OpFoldResult> offsets,
    ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,
    SmallVector<OpFoldResult> &resultSizes) {
  resultOffsets = {offsets[0]};
  resultSizes = {sizes[0]};
  if (resultNumber == 0) {
    resultOffsets.push_back(b.getIndexAttr(0));
    resultSizes.push_back(dimOf(b, getLoc(), getInput(), 1));
  }
  return success();
}

FailureOr<TilingResult>
QuantizeRowsOp::generateResultTileValue(OpBuilder &b, unsigned resultNumber,
                                        ArrayRef<OpFoldResult> offsets,
                                        ArrayRef<OpFoldResult> sizes) {
  // A tile of the quantized rows needs their whole rows (the absmax).
  if (resultNumber == 0 &&
      (!isZeroInteger(offsets[1]) ||
       !isEqualConstantIntOrValue(sizes[1], dimOf(b, getLoc(), getInput(), 1))))
    return failure();
  FailureOr<TilingResult> tile =
      getTiledImplementation(b, offsets.take_front(), sizes.take_front());
  if (failed(tile))
    return failure();
  // Fusion replaces the slice with the one value asked for.
  tile->tiledValues = {tile->tiledValues[resultNumber]};
  return tile;
}

LogicalResult
QuantizeRowsOp::reifyResultShapes(OpBuilder &b,
                                  ReifiedRankedShapedTypeDims &shapes) {
  Value in = getInput();
  return reify(b, *this, {{{in, 0}, {in, 1}}, {{in, 0}}}, shapes);
}

//===----------------------------------------------------------------------===//
// ternary_matmul, dequantize, lut_matmul: loops over the result
//===----------------------------------------------------------------------===//

/// `op` on the tiled `operands`, its result the tile of `sizes`.
template <typename OpTy>
static TilingResult
createTile(OpBuilder &b, OpTy op, ArrayRef<OpFoldResult> sizes,
           ValueRange operands, ArrayRef<Operation *> slices) {
  auto resultType = RankedTensorType::get(
      tileShape(sizes), op.getResult().getType().getElementType());
  auto tiled =
      OpTy::create(b, op.getLoc(), resultType, operands, op->getAttrs());
  return TilingResult{{tiled}, {tiled.getResult()}, llvm::to_vector(slices)};
}

/// ternary_matmul: its rows of activations and a channel slice of the packed
/// weights (which keep a static shape).
static FailureOr<TilingResult> tileOp(TernaryMatmulOp op, OpBuilder &b,
                                      ArrayRef<OpFoldResult> offsets,
                                      ArrayRef<OpFoldResult> sizes) {
  if (!getConstantIntValue(sizes[1]))
    return failure();
  Location loc = op.getLoc();
  SmallVector<Operation *> slices;
  Value input =
      sliceAlong(b, loc, op.getInput(), 0, offsets[0], sizes[0], slices);
  Value weights =
      sliceAlong(b, loc, op.getWeights(), 0, offsets[1], sizes[1], slices);
  return createTile(b, op, sizes, {input, weights}, slices);
}

/// dequantize: the accumulator tile and the matching scales; a per-tensor
/// scale (one element) is shared by every tile.
static FailureOr<TilingResult> tileOp(DequantizeOp op, OpBuilder &b,
                                      ArrayRef<OpFoldResult> offsets,
                                      ArrayRef<OpFoldResult> sizes) {
  Location loc = op.getLoc();
  SmallVector<Operation *> slices;
  SmallVector<Value> operands{
      slice(b, loc, op.getAcc(), offsets, sizes, slices)};
  bool perTensor = op.getWeightScale().getType().getDimSize(0) == 1 &&
                   op.getAcc().getType().getDimSize(1) != 1;
  operands.push_back(perTensor ? op.getWeightScale()
                               : slice(b, loc, op.getWeightScale(),
                                       {offsets[1]}, {sizes[1]}, slices));
  if (Value rowScale = op.getRowScale())
    operands.push_back(
        slice(b, loc, rowScale, {offsets[0]}, {sizes[0]}, slices));
  return createTile(b, op, sizes, operands, slices);
}

/// lut_matmul: its rows of codes and an output slice of every table (which
/// keep a static shape).
static FailureOr<TilingResult> tileOp(LutMatmulOp op, OpBuilder &b,
                                      ArrayRef<OpFoldResult> offsets,
                                      ArrayRef<OpFoldResult> sizes) {
  if (!getConstantIntValue(sizes[1]))
    return failure();
  Location loc = op.getLoc();
  SmallVector<Operation *> slices;
  Value codes =
      sliceAlong(b, loc, op.getCodes(), 0, offsets[0], sizes[0], slices);
  Value tables =
      sliceAlong(b, loc, op.getTables(), 2, offsets[1], sizes[1], slices);
  return createTile(b, op, sizes, {codes, tables}, slices);
}

namespace {

/// Ops whose loops are their result's dimensions, all parallel (a reduction
/// stays inside the op): the domain is the reified result shape, a result
/// tile is an iteration tile, and `tileOp` slices the operands.
template <typename OpTy>
struct ResultLoopsTiling
    : TilingInterface::ExternalModel<ResultLoopsTiling<OpTy>, OpTy> {
  SmallVector<utils::IteratorType> getLoopIteratorTypes(Operation *op) const {
    return SmallVector<utils::IteratorType>(
        cast<OpTy>(op).getResult().getType().getRank(),
        utils::IteratorType::parallel);
  }

  SmallVector<Range> getIterationDomain(Operation *op, OpBuilder &b) const {
    ReifiedRankedShapedTypeDims shapes;
    (void)cast<OpTy>(op).reifyResultShapes(b, shapes);
    return rangesOf(b, op->getLoc(), shapes[0]);
  }

  FailureOr<TilingResult>
  getTiledImplementation(Operation *op, OpBuilder &b,
                         ArrayRef<OpFoldResult> offsets,
                         ArrayRef<OpFoldResult> sizes) const {
    return tileOp(cast<OpTy>(op), b, offsets, sizes);
  }

  LogicalResult getResultTilePosition(
      Operation *, OpBuilder &, unsigned, ArrayRef<OpFoldResult> offsets,
      ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,
      SmallVector<OpFoldResult> &resultSizes) const {
    return identityTilePosition(offsets, sizes, resultOffsets, resultSizes);
  }

  FailureOr<TilingResult>
  generateResultTileValue(Operation *op, OpBuilder &b, unsigned,
                          ArrayRef<OpFoldResult> offsets,
                          ArrayRef<OpFoldResult> sizes) const {
    return tileOp(cast<OpTy>(op), b, offsets, sizes);
  }
};

} // namespace

void mmfree::attachTilingModels(MLIRContext &context) {
  TernaryMatmulOp::attachInterface<ResultLoopsTiling<TernaryMatmulOp>>(context);
  DequantizeOp::attachInterface<ResultLoopsTiling<DequantizeOp>>(context);
  LutMatmulOp::attachInterface<ResultLoopsTiling<LutMatmulOp>>(context);
}

LogicalResult
TernaryMatmulOp::reifyResultShapes(OpBuilder &b,
                                   ReifiedRankedShapedTypeDims &shapes) {
  return reify(b, *this, {{{getInput(), 0}, {getWeights(), 0}}}, shapes);
}

LogicalResult
DequantizeOp::reifyResultShapes(OpBuilder &b,
                                ReifiedRankedShapedTypeDims &shapes) {
  return reify(b, *this, {{{getAcc(), 0}, {getAcc(), 1}}}, shapes);
}

LogicalResult
LutMatmulOp::reifyResultShapes(OpBuilder &b,
                               ReifiedRankedShapedTypeDims &shapes) {
  return reify(b, *this, {{{getCodes(), 0}, {getTables(), 2}}}, shapes);
}

//===----------------------------------------------------------------------===//
// lut_encode: rows
//===----------------------------------------------------------------------===//

SmallVector<utils::IteratorType> LutEncodeOp::getLoopIteratorTypes() {
  return {utils::IteratorType::parallel};
}

SmallVector<Range> LutEncodeOp::getIterationDomain(OpBuilder &b) {
  return rangesOf(b, getLoc(),
                  {dimOf(b, getLoc(), getInput(), getTransposeInput())});
}

FailureOr<TilingResult>
LutEncodeOp::getTiledImplementation(OpBuilder &b,
                                    ArrayRef<OpFoldResult> offsets,
                                    ArrayRef<OpFoldResult> sizes) {
  Location loc = getLoc();
  SmallVector<Operation *> slices;
  OpFoldResult zero = b.getIndexAttr(0);
  bool transposed = getTransposeInput();
  OpFoldResult cols = dimOf(b, loc, getInput(), transposed ? 0 : 1);
  // Transposed input is D x N: the rows are its columns.
  Value input = transposed ? slice(b, loc, getInput(), {zero, offsets[0]},
                                   {cols, sizes[0]}, slices)
                           : slice(b, loc, getInput(), {offsets[0], zero},
                                   {sizes[0], cols}, slices);
  auto codesType = RankedTensorType::get(
      {tileShape(sizes)[0], getCodes().getType().getDimSize(1)},
      getCodes().getType().getElementType());
  auto tiled = LutEncodeOp::create(
      b, loc, codesType, ValueRange{input, getDims(), getThresholds()},
      getOperation()->getAttrs());
  return TilingResult{{tiled}, {tiled.getResult()}, slices};
}

LogicalResult LutEncodeOp::getResultTilePosition(
    OpBuilder &b, unsigned, ArrayRef<OpFoldResult> offsets,
    ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,
    SmallVector<OpFoldResult> &resultSizes) {
  resultOffsets = {offsets[0], b.getIndexAttr(0)};
  resultSizes = {sizes[0], dimOf(b, getLoc(), getCodes(), 1)};
  return success();
}

FailureOr<TilingResult>
LutEncodeOp::generateResultTileValue(OpBuilder &b, unsigned,
                                     ArrayRef<OpFoldResult> offsets,
                                     ArrayRef<OpFoldResult> sizes) {
  // A tile of codes holds every codebook of its rows.
  if (!isZeroInteger(offsets[1]) ||
      !isEqualConstantIntOrValue(sizes[1], dimOf(b, getLoc(), getCodes(), 1)))
    return failure();
  return getTiledImplementation(b, offsets.take_front(), sizes.take_front());
}

LogicalResult
LutEncodeOp::reifyResultShapes(OpBuilder &b,
                               ReifiedRankedShapedTypeDims &shapes) {
  return reify(b, *this,
               {{{getInput(), getTransposeInput() ? 1 : 0}, {getDims(), 0}}},
               shapes);
}

//===----------------------------------------------------------------------===//
// lmul_matmul: M x N parallel, K reduction
//===----------------------------------------------------------------------===//

SmallVector<utils::IteratorType> LMulMatmulOp::getLoopIteratorTypes() {
  return {utils::IteratorType::parallel, utils::IteratorType::parallel,
          utils::IteratorType::reduction};
}

SmallVector<Range> LMulMatmulOp::getIterationDomain(OpBuilder &b) {
  Location loc = getLoc();
  return rangesOf(b, loc,
                  {dimOf(b, loc, getInit(), 0), dimOf(b, loc, getInit(), 1),
                   dimOf(b, loc, getLhs(), 1)});
}

FailureOr<TilingResult>
LMulMatmulOp::getTiledImplementation(OpBuilder &b,
                                     ArrayRef<OpFoldResult> offsets,
                                     ArrayRef<OpFoldResult> sizes) {
  Location loc = getLoc();
  SmallVector<Operation *> slices;
  OpFoldResult m0 = offsets[0], n0 = offsets[1], k0 = offsets[2];
  OpFoldResult m = sizes[0], n = sizes[1], k = sizes[2];
  Value lhs = slice(b, loc, getLhs(), {m0, k0}, {m, k}, slices);
  Value rhs = getTransposeRhs()
                  ? slice(b, loc, getRhs(), {n0, k0}, {n, k}, slices)
                  : slice(b, loc, getRhs(), {k0, n0}, {k, n}, slices);
  Value init = slice(b, loc, getInit(), {m0, n0}, {m, n}, slices);
  auto tiled =
      LMulMatmulOp::create(b, loc, init.getType(), ValueRange{lhs, rhs, init},
                           getOperation()->getAttrs());
  return TilingResult{{tiled}, {tiled.getResult()}, slices};
}

LogicalResult LMulMatmulOp::getResultTilePosition(
    OpBuilder &, unsigned, ArrayRef<OpFoldResult> offsets,
    ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,
    SmallVector<OpFoldResult> &resultSizes) {
  return identityTilePosition(offsets.take_front(2), sizes.take_front(2),
                              resultOffsets, resultSizes);
}

FailureOr<TilingResult>
LMulMatmulOp::generateResultTileValue(OpBuilder &b, unsigned,
                                      ArrayRef<OpFoldResult> offsets,
                                      ArrayRef<OpFoldResult> sizes) {
  // A result tile needs the whole reduction.
  SmallVector<OpFoldResult> domainOffsets(offsets),
      domainSizes(sizes.begin(), sizes.end());
  domainOffsets.push_back(b.getIndexAttr(0));
  domainSizes.push_back(dimOf(b, getLoc(), getLhs(), 1));
  return getTiledImplementation(b, domainOffsets, domainSizes);
}
