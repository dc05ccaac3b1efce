//===- LutBuilders.h - shared IR building for MADDNESS lowerings -*- C++
//-*-===//
//
// The averaging accumulation of mmfree.lut_matmul, which its linalg, vector
// and GPU lowerings all build.
//
//===----------------------------------------------------------------------===//

#ifndef MMFREE_LIB_CONVERSION_LUTBUILDERS_H
#define MMFREE_LIB_CONVERSION_LUTBUILDERS_H

#include "mlir/IR/Builders.h"

namespace mmfree {

/// The codebooks' table entries (16-bit scalars or vectors, one per
/// codebook) padded with zeros to numerics::averagedCodebooks and combined
/// by pairwise rounding averages (a + b + 1) >> 1, level by level, as the
/// vpavgb trees of MADDNESS do.
mlir::Value averageEntries(mlir::OpBuilder &b, mlir::Location loc,
                           llvm::SmallVector<mlir::Value> entries);

} // namespace mmfree

#endif // MMFREE_LIB_CONVERSION_LUTBUILDERS_H
