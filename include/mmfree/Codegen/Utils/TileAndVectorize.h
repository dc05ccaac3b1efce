//===- TileAndVectorize.h - upstream tiling + vectorization -----*- C++ -*-===//

#ifndef MMFREE_LIB_CONVERSION_TILEANDVECTORIZE_H
#define MMFREE_LIB_CONVERSION_TILEANDVECTORIZE_H

#include "mlir/IR/PatternMatch.h"

namespace mmfree {

/// Tiles `op` into static `tiles` with the upstream TilingInterface and
/// vectorizes each tile with linalg::vectorize (contractions stay
/// vector.contract when `namedContraction`). What fails either step is left
/// for convert-linalg-to-loops. With `dropUnitDims`, a generic tile's
/// dimensions of size 1 are dropped first (rank-reducing slices), so that
/// its vectors are at most 2-D. Returns the blocks of the vectorized tiles.
llvm::SmallVector<mlir::Block *> tileAndVectorize(mlir::RewriterBase &rewriter,
                                                  mlir::Operation *op,
                                                  llvm::ArrayRef<int64_t> tiles,
                                                  bool namedContraction,
                                                  bool dropUnitDims = false);

} // namespace mmfree

#endif // MMFREE_LIB_CONVERSION_TILEANDVECTORIZE_H
