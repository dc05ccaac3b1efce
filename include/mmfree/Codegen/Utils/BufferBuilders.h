//===- BufferBuilders.h - kernels on buffers inside tensor code -*- C++ -*-===//
//
// The kernels that are easier to write on memrefs (GPU tiles, byte-shuffle
// lookups, threaded ternary chunks) read their tensor operands through
// read-only buffers and hand back a freshly allocated result as a tensor;
// One-Shot Bufferize then connects both sides.
//
//===----------------------------------------------------------------------===//

#ifndef MMFREE_LIB_CONVERSION_BUFFERBUILDERS_H
#define MMFREE_LIB_CONVERSION_BUFFERBUILDERS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace mmfree {

/// A read-only, identity-layout buffer of a ranked tensor.
mlir::Value readOnlyBuffer(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value tensor);

/// A 64-byte aligned buffer for a result of `type` (`dynamicSizes` for its
/// dynamic dimensions).
mlir::Value resultBuffer(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type,
                         mlir::ValueRange dynamicSizes = {});

/// `buffer` as the result tensor of `type` (restrict, writable: nothing
/// else aliases it).
mlir::Value resultTensor(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Type type, mlir::Value buffer);

} // namespace mmfree

#endif // MMFREE_LIB_CONVERSION_BUFFERBUILDERS_H
