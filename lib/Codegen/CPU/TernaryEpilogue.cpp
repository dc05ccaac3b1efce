//===- TernaryEpilogue.cpp - dequantization fused into ternary kernels ----===//

#include "mmfree/Codegen/CPU/TernaryEpilogue.h"
#include "mmfree/Codegen/Utils/BufferBuilders.h"
#include "mmfree/Codegen/Utils/TernaryBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mmfree;

/// Whether `value` is defined before `op` (in its block or one around) or
/// is a constant that can be.
static bool availableAt(Value value, Operation *op) {
  if (auto arg = dyn_cast<BlockArgument>(value))
    return arg.getOwner()->findAncestorOpInBlock(*op) != nullptr;
  Operation *def = value.getDefiningOp();
  Operation *ancestor = def->getBlock()->findAncestorOpInBlock(*op);
  return (ancestor && def->isBeforeInBlock(ancestor)) ||
         matchPattern(value, m_Constant());
}

/// `value`, or a copy of its constant where it is defined after `op` (the
/// insertion point is before `op`).
static Value before(PatternRewriter &rewriter, Value value, Operation *op) {
  Operation *def = value.getDefiningOp();
  if (!def || !matchPattern(value, m_Constant()))
    return value;
  Operation *ancestor = def->getBlock()->findAncestorOpInBlock(*op);
  if (ancestor && def->isBeforeInBlock(ancestor))
    return value;
  return rewriter.clone(*def)->getResult(0);
}

std::optional<TernaryEpilogue> TernaryEpilogue::match(PatternRewriter &rewriter,
                                                      Location loc,
                                                      TernaryMatmulOp op,
                                                      QuantizeRowsOp quantize) {
  if (!op->hasOneUse())
    return std::nullopt;
  auto dequantize = dyn_cast<DequantizeOp>(*op->user_begin());
  if (!dequantize || dequantize.getAcc() != op.getResult())
    return std::nullopt;
  Value weightScale = dequantize.getWeightScale();
  Value rowScale = dequantize.getRowScale();
  bool ownScales = rowScale && quantize && rowScale == quantize.getScale();
  if (!availableAt(weightScale, op) ||
      (rowScale && !ownScales && !availableAt(rowScale, op)))
    return std::nullopt;
  bool perChannel = dequantize.getWeightScale().getType().getDimSize(0) != 1;
  Value weightScales =
      readOnlyBuffer(rewriter, loc, before(rewriter, weightScale, op));
  if (!perChannel)
    weightScales =
        memref::LoadOp::create(rewriter, loc, weightScales,
                               ValueRange{indexConstant(rewriter, loc, 0)});
  return TernaryEpilogue{
      dequantize, weightScales,
      rowScale && !ownScales
          ? readOnlyBuffer(rewriter, loc, before(rewriter, rowScale, op))
          : Value()};
}

SmallVector<Value> TernaryEpilogue::rowScales(OpBuilder &b, Location loc,
                                              ArrayRef<Value> rows,
                                              ArrayRef<Value> qs) const {
  if (!rowScaleBuffer)
    return DequantizeOp(op).getRowScale() ? SmallVector<Value>(qs)
                                          : SmallVector<Value>();
  SmallVector<Value> scales;
  for (Value row : rows)
    scales.push_back(memref::LoadOp::create(b, loc, rowScaleBuffer, row));
  return scales;
}

Value TernaryEpilogue::apply(OpBuilder &b, Location loc, Value sum, Value n,
                             Value q) const {
  Type f32 = b.getF32Type();
  auto lanes = dyn_cast<VectorType>(sum.getType());
  Type floats = lanes ? Type(lanes.clone(f32)) : f32;
  auto spread = [&](Value scalar) -> Value {
    return lanes
               ? vector::BroadcastOp::create(b, loc, floats, scalar).getResult()
               : scalar;
  };
  Value y = isa<FloatType>(getElementTypeOrSelf(sum))
                ? sum
                : arith::SIToFPOp::create(b, loc, floats, sum).getResult();
  bool perChannel = isa<MemRefType>(weightScales.getType());
  Value scale;
  if (!perChannel)
    scale = spread(weightScales);
  else if (lanes)
    scale = vector::TransferReadOp::create(
        b, loc, cast<VectorType>(floats), weightScales, ValueRange{n},
        zeroOf(b, loc, f32), ArrayRef<bool>{true});
  else
    scale = memref::LoadOp::create(b, loc, weightScales, n);
  y = arith::MulFOp::create(b, loc, y, scale);
  return q ? arith::DivFOp::create(b, loc, y, spread(q)).getResult() : y;
}

void mmfree::replaceTernaryResult(
    PatternRewriter &rewriter, TernaryMatmulOp op,
    const std::optional<TernaryEpilogue> &epilogue, Value result) {
  if (!epilogue) {
    rewriter.replaceOp(op, result);
    return;
  }
  rewriter.replaceOp(epilogue->op, result);
  rewriter.eraseOp(op);
}
