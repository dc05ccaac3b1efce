//===- LutBuilders.cpp - shared IR building for MADDNESS lowerings --------===//

#include "mmfree/Codegen/Utils/LutBuilders.h"

#include "mmfree/Codegen/Utils/LMulBuilders.h"
#include "mmfree/Codegen/Utils/TernaryBuilders.h"

#include "mmfree/Numerics/Maddness.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;

Value mmfree::averageEntries(OpBuilder &b, Location loc,
                             SmallVector<Value> entries) {
  Type type = entries.front().getType();
  entries.resize(numerics::averagedCodebooks(entries.size()),
                 zeroOf(b, loc, type));
  Value oneValue = splat(b, loc, type, 1);
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
