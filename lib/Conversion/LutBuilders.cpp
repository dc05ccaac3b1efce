//===- LutBuilders.cpp - shared IR building for MADDNESS lowerings --------===//

#include "LutBuilders.h"
#include "TernaryBuilders.h"

#include "mmfree/Numerics/Maddness.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;

Value mmfree::averageEntries(OpBuilder &b, Location loc,
                             SmallVector<Value> entries) {
  Type type = entries.front().getType();
  entries.resize(numerics::averagedCodebooks(entries.size()),
                 zeroOf(b, loc, type));
  TypedAttr one = b.getIntegerAttr(getElementTypeOrSelf(type), 1);
  if (auto vec = dyn_cast<VectorType>(type))
    one = DenseElementsAttr::get(vec, one);
  Value oneValue = arith::ConstantOp::create(b, loc, one);
  while (entries.size() > 1) {
    SmallVector<Value> next;
    for (size_t j = 0; j < entries.size(); j += 2)
      next.push_back(arith::ShRUIOp::create(
          b, loc,
          arith::AddIOp::create(
              b, loc, arith::AddIOp::create(b, loc, entries[j], entries[j + 1]),
              oneValue),
          oneValue));
    entries = std::move(next);
  }
  return entries.front();
}
