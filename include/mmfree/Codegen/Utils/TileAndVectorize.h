//===- TileAndVectorize.h - upstream tiling + vectorization -----*- C++ -*-===//

#ifndef MMFREE_LIB_CONVERSION_TILEANDVECTORIZE_H
#define MMFREE_LIB_CONVERSION_TILEANDVECTORIZE_H

#include "mlir/IR/PatternMatch.h"

namespace mmfree {

/// Tiles `op` into static `tiles` with the upstream TilingInterface and
/// vectorizes each tile with linalg::vectorize (contractions stay
/// vector.contract when `namedContraction`). What fails either step is left
/// for convert-linalg-to-loops.
void tileAndVectorize(mlir::RewriterBase &rewriter, mlir::Operation *op,
                      llvm::ArrayRef<int64_t> tiles, bool namedContraction);

} // namespace mmfree

#endif // MMFREE_LIB_CONVERSION_TILEANDVECTORIZE_H
