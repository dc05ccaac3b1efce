//===- LMulBuilders.h - L-Mul as integer IR ---------------------*- C++ -*-===//
//
// Emits L-Mul on scalars or vectors of an L-Mul float type with integer ops
// only (bitcast, and/or/xor, shifts, add/sub, compares, selects), exactly as
// numerics::lmulBits defines it.
//
//===----------------------------------------------------------------------===//

#ifndef MMFREE_LIB_CONVERSION_LMULBUILDERS_H
#define MMFREE_LIB_CONVERSION_LMULBUILDERS_H

#include "mlir/IR/Builders.h"

namespace mmfree {

/// lmul(x, y) at `k` mantissa bits, in the operands' float type.
mlir::Value buildLMul(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                      mlir::Value y, unsigned k);

/// lmul(x, y) converted exactly to f32 (same shape as the operands).
mlir::Value buildLMulToF32(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value x, mlir::Value y, unsigned k);

/// init + sum_k lmul(lhs[m,k], rhs[k,n]) as a (m, n, k) linalg.generic whose
/// body is one L-Mul converted to f32 and one f32 add; loops lower it in
/// increasing k, the reference order. `rhs` is N x K when `transposeRhs`.
mlir::Value buildLMulMatmulGeneric(mlir::OpBuilder &b, mlir::Location loc,
                                   mlir::Value lhs, mlir::Value rhs,
                                   mlir::Value init, unsigned k,
                                   bool transposeRhs);

/// Integer or float constant splat to `type`'s shape (scalar or vector).
mlir::Value splat(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type,
                  int64_t value);

/// `type`'s shape with element type `elt`.
mlir::Type withElement(mlir::Type type, mlir::Type elt);

} // namespace mmfree

#endif // MMFREE_LIB_CONVERSION_LMULBUILDERS_H
