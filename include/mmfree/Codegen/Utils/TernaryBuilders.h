//===- TernaryBuilders.h - shared IR building for ternary lowerings -*- C++
//-*-//
//
// Pieces that the linalg and the vector lowering of mmfree.ternary_matmul
// have in common: decoding a 2-bit code and padding activations to whole
// 64-weight blocks.
//
//===----------------------------------------------------------------------===//

#ifndef MMFREE_LIB_CONVERSION_TERNARYBUILDERS_H
#define MMFREE_LIB_CONVERSION_TERNARYBUILDERS_H

#include "mlir/IR/Builders.h"

namespace mmfree {

/// Adds, subtracts or skips `x` into `acc` depending on the 2-bit code at
/// bits [shift, shift+2) of `packed` (0b01: +x, 0b10: -x, 0b00: nothing).
/// Works on scalars and vectors; `x` is already of the accumulator type.
/// Uses shifts, masks, compares, selects and one add: no multiply.
mlir::Value accumulateTernary(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::Value acc, mlir::Value x,
                              mlir::Value packed, mlir::Value shift);

/// The same for a slice j known when building: the codes' two bits are
/// tested in place ((packed & (1 << 2j)) != 0 adds x, (packed & (2 << 2j))
/// != 0 subtracts it), which vector targets turn into mask tests and masked
/// adds and subtracts. No multiply.
mlir::Value accumulateTernarySlice(mlir::OpBuilder &b, mlir::Location loc,
                                   mlir::Value acc, mlir::Value x,
                                   mlir::Value packed, int64_t j);

/// Pads the M x K activations with zeros to M x (64 * ceil(K/64)).
mlir::Value padToBlocks(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value input, int64_t k);

/// An index constant.
mlir::Value indexConstant(mlir::OpBuilder &b, mlir::Location loc, int64_t v);

/// Zero of `type` (scalar or vector), integer or float.
mlir::Value zeroOf(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type);

} // namespace mmfree

#endif // MMFREE_LIB_CONVERSION_TERNARYBUILDERS_H
