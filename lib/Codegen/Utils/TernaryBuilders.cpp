//===- TernaryBuilders.cpp - shared IR building for ternary lowerings -----===//

#include "mmfree/Codegen/Utils/TernaryBuilders.h"

#include "mmfree/Codegen/Utils/LMulBuilders.h"
#include "mmfree/Numerics/Ternary.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;

namespace mmfree {

Value indexConstant(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

Value zeroOf(OpBuilder &b, Location loc, Type type) {
  return arith::ConstantOp::create(b, loc, b.getZeroAttr(type));
}

Value accumulateTernary(OpBuilder &b, Location loc, Value acc, Value x,
                        Value packed, Value shift) {
  Type codeType = packed.getType();
  Value code = arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, packed, shift),
      splat(b, loc, codeType, 3));
  Value isPlus = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, code,
                                       splat(b, loc, codeType, 1));
  Value isMinus = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, code,
                                        splat(b, loc, codeType, 2));
  Value zero = zeroOf(b, loc, x.getType());
  bool isFloat = isa<FloatType>(getElementTypeOrSelf(x.getType()));
  Value neg = isFloat ? arith::NegFOp::create(b, loc, x).getResult()
                      : arith::SubIOp::create(b, loc, zero, x).getResult();
  Value term = arith::SelectOp::create(
      b, loc, isPlus, x, arith::SelectOp::create(b, loc, isMinus, neg, zero));
  if (isFloat)
    return arith::AddFOp::create(b, loc, acc, term);
  return arith::AddIOp::create(b, loc, acc, term);
}

Value accumulateTernarySlice(OpBuilder &b, Location loc, Value acc, Value x,
                             Value packed, int64_t j) {
  Type codeType = packed.getType();
  auto isSet = [&](int64_t bit) -> Value {
    return arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::ne,
        arith::AndIOp::create(b, loc, packed,
                              splat(b, loc, codeType, bit << (2 * j))),
        splat(b, loc, codeType, 0));
  };
  bool isFloat = isa<FloatType>(getElementTypeOrSelf(x.getType()));
  auto add = [&](Value l, Value r) -> Value {
    return isFloat ? arith::AddFOp::create(b, loc, l, r).getResult()
                   : arith::AddIOp::create(b, loc, l, r).getResult();
  };
  auto sub = [&](Value l, Value r) -> Value {
    return isFloat ? arith::SubFOp::create(b, loc, l, r).getResult()
                   : arith::SubIOp::create(b, loc, l, r).getResult();
  };
  Value plus = arith::SelectOp::create(b, loc, isSet(1), add(acc, x), acc);
  return arith::SelectOp::create(b, loc, isSet(2), sub(plus, x), plus);
}

Value padToBlocks(OpBuilder &b, Location loc, Value input, int64_t k) {
  int64_t padded = numerics::numBlocks(k) * numerics::kBlockWeights;
  if (padded == k)
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  auto paddedType = RankedTensorType::get({type.getDimSize(0), padded},
                                          type.getElementType());
  SmallVector<OpFoldResult> low = {b.getIndexAttr(0), b.getIndexAttr(0)};
  SmallVector<OpFoldResult> high = {b.getIndexAttr(0),
                                    b.getIndexAttr(padded - k)};
  return tensor::PadOp::create(b, loc, paddedType, input, low, high,
                               zeroOf(b, loc, type.getElementType()));
}

} // namespace mmfree
