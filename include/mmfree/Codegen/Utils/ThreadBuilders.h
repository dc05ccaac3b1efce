//===- ThreadBuilders.h - the CPU kernels' thread split ---------*- C++ -*-===//
//
// Every CPU kernel with `threads` > 1 splits one loop range (channels or
// row blocks) into contiguous chunks, one scf.parallel iteration each,
// which mmfree-cpu-pipeline turns into an OpenMP region.
//
//===----------------------------------------------------------------------===//

#ifndef MMFREE_CODEGEN_UTILS_THREADBUILDERS_H
#define MMFREE_CODEGEN_UTILS_THREADBUILDERS_H

#include "mlir/IR/Builders.h"

namespace mmfree {

/// Builds one chunk: thread index, first and end (exclusive) position.
using ThreadChunkBody = llvm::function_ref<void(
    mlir::OpBuilder &, mlir::Location, mlir::Value thread, mlir::Value begin,
    mlir::Value end)>;

/// [0, count) in `threads` chunks under an scf.parallel. The chunks are
/// count / threads long when that is a multiple of `align`; otherwise
/// ceil(count / threads) rounded up to a multiple of `align` and clamped to
/// `count`, so that the last chunks may be short or empty.
void forEachThreadChunk(mlir::OpBuilder &b, mlir::Location loc, int64_t count,
                        int64_t threads, int64_t align, ThreadChunkBody body);

} // namespace mmfree

#endif // MMFREE_CODEGEN_UTILS_THREADBUILDERS_H
