//===- LMulBits.h - choosing k for an L-Mul rewrite -------------*- C++ -*-===//

#ifndef MMFREE_LIB_TRANSFORMS_LMULBITS_H
#define MMFREE_LIB_TRANSFORMS_LMULBITS_H

#include "mmfree/Dialect/MMFree/IR/MMFree.h"

#include "mlir/IR/TypeUtilities.h"

namespace mmfree {

/// The mantissa bits L-Mul uses for `type`: `requested`, or the format's full
/// mantissa when 0. Emits an error on `op` and fails when `requested`
/// exceeds the format's mantissa.
inline mlir::FailureOr<unsigned>
lmulMantissaBits(mlir::Operation *op, mlir::Type type, unsigned requested) {
  unsigned m = numerics::formatInfo(*getLMulFormat(type)).mantissa;
  if (requested > m)
    return op->emitError("mantissa-bits = ")
           << requested << " exceeds the " << m << " mantissa bits of "
           << mlir::getElementTypeOrSelf(type);
  return requested ? requested : m;
}

} // namespace mmfree

#endif // MMFREE_LIB_TRANSFORMS_LMULBITS_H
