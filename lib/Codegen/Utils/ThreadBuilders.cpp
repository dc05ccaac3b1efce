//===- ThreadBuilders.cpp - the CPU kernels' thread split -----------------===//

#include "mmfree/Codegen/Utils/ThreadBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

void mmfree::forEachThreadChunk(OpBuilder &b, Location loc, int64_t count,
                                int64_t threads, int64_t align,
                                ThreadChunkBody body) {
  auto index = [](OpBuilder &b, Location l, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, l, v);
  };
  bool even = count % threads == 0 && (count / threads) % align == 0;
  int64_t chunk =
      even ? count / threads
           : llvm::divideCeil(llvm::divideCeil(count, threads), align) * align;
  scf::ParallelOp::create(
      b, loc, ValueRange{index(b, loc, 0)}, ValueRange{index(b, loc, threads)},
      ValueRange{index(b, loc, 1)},
      [&](OpBuilder &b, Location l, ValueRange ivs) {
        Value begin = arith::MulIOp::create(b, l, ivs[0], index(b, l, chunk));
        Value end = arith::AddIOp::create(b, l, begin, index(b, l, chunk));
        if (!even) {
          Value last = index(b, l, count);
          begin = arith::MinUIOp::create(b, l, begin, last);
          end = arith::MinUIOp::create(b, l, end, last);
        }
        body(b, l, ivs[0], begin, end);
      });
}
