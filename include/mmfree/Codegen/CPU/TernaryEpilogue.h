//===- TernaryEpilogue.h - dequantization in ternary kernels -*- C++ -*-===//
//
// A mmfree.dequantize that only a ternary_matmul feeds becomes the kernel's
// epilogue: each sum (a scalar, or a vector of consecutive channels) is
// converted, scaled and stored once as f32, so that no accumulator tensor
// exists.
//
//===----------------------------------------------------------------------===//

#ifndef MMFREE_CODEGEN_CPU_TERNARYEPILOGUE_H
#define MMFREE_CODEGEN_CPU_TERNARYEPILOGUE_H

#include "mmfree/Dialect/MMFree/IR/MMFree.h"

#include "mlir/IR/PatternMatch.h"

#include <optional>

namespace mmfree {

/// The fused dequantization: its op, its weight scales (a buffer of one
/// per channel, or the one per-tensor scale as an f32) and its row scales (a
/// buffer, or none: no row scales, or the fused quantization's own).
struct TernaryEpilogue {
  DequantizeOp op;
  mlir::Value weightScales, rowScaleBuffer;

  /// The dequantization that only `op`'s result feeds, if its scales are
  /// available before `op` (constants defined after it are copied);
  /// `quantize`: a quantization fused into the kernel, whose row scales the
  /// kernel computes itself. Builds the scales' buffers at the rewriter's
  /// insertion point.
  static std::optional<TernaryEpilogue> match(mlir::PatternRewriter &rewriter,
                                              mlir::Location loc,
                                              TernaryMatmulOp op,
                                              QuantizeRowsOp quantize);

  /// The row scales of `rows`: loaded, the fused quantization's `qs`, or
  /// none.
  llvm::SmallVector<mlir::Value>
  rowScales(mlir::OpBuilder &b, mlir::Location loc,
            llvm::ArrayRef<mlir::Value> rows,
            llvm::ArrayRef<mlir::Value> qs) const;

  /// float(sum) * weight_scale[n] / q, left to right as the op defines; for
  /// a vector of sums, of channels n, n + 1, ... (q: none, or one row's).
  mlir::Value apply(mlir::OpBuilder &b, mlir::Location loc, mlir::Value sum,
                    mlir::Value n, mlir::Value q) const;
};

/// Replaces `op`, or the dequantization its kernel fuses, by `result`.
void replaceTernaryResult(mlir::PatternRewriter &rewriter, TernaryMatmulOp op,
                          const std::optional<TernaryEpilogue> &epilogue,
                          mlir::Value result);

} // namespace mmfree

#endif // MMFREE_CODEGEN_CPU_TERNARYEPILOGUE_H
