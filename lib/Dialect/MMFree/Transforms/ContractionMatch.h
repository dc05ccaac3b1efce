//===- ContractionMatch.h - linalg contractions as rows x K x N -*- C++ -*-===//
//
// The one matcher every mmfree rewrite uses. Any linalg op on tensors that
// is a contraction (named or generic, see linalg::inferContractionDims) is
// seen as a 2-D product rows x K times K x N:
//   * one reduction dimension K and one output-channel dimension N;
//   * every other dimension (m and batch dimensions: batch x sequence x
//     features activations) is a row; the activations and the result list
//     the row dimensions in the same order, K (resp. N) last, so that a
//     tensor.collapse_shape makes them 2-D;
//   * the weights depend on K and N only: batch dimensions of the weights
//     must come from a broadcast (linalg.broadcast or an equivalent generic),
//     which is looked through, as is a 2-D transpose (linalg.transpose or a
//     permutation-only generic).
//
//===----------------------------------------------------------------------===//

#ifndef MMFREE_LIB_TRANSFORMS_CONTRACTIONMATCH_H
#define MMFREE_LIB_TRANSFORMS_CONTRACTIONMATCH_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

#include <string>

namespace mmfree {

struct Contraction {
  mutable mlir::linalg::LinalgOp op; // mutable: its accessors are not const
  mlir::Value lhs;                   // activations: rows... x K
  mlir::Value rhs;    // weights: K x N, or N x K when rhsTransposed
  bool rhsTransposed; // rhs is N x K
  int64_t k, n;       // static sizes, or ShapedType::kDynamic
};

/// The input of a 2-D transpose (linalg.transpose or a permutation-only
/// linalg.generic) producing `v`, or null.
mlir::Value transposeInput(mlir::Value v);

/// Every linalg op under `root` that is a contraction (ContractionOpInterface
/// semantics), in program order: the ops each rewrite must rewrite or remark.
llvm::SmallVector<mlir::linalg::LinalgOp>
collectContractions(mlir::Operation *root);

/// `op` as rows x K x N, or failure with the reason in `why`.
mlir::FailureOr<Contraction> matchContraction(mlir::linalg::LinalgOp op,
                                              std::string &why);

/// Fails, saying why, unless activations, weights and result of `c` are f32
/// and its weights have a static shape (what the ternary and MADDNESS
/// rewrites take).
mlir::LogicalResult checkF32StaticWeights(const Contraction &c,
                                          std::string &why);

/// The rewrites' driver. For each contraction under `root`, in program
/// order, `analyze(op, why)` returns what the rewrite needs (a
/// FailureOr<Candidate>) or fails saying why: the op then gets the remark
/// "not rewritten to <method>: <why>" and counts in `skipped` (a pass
/// statistic). `take` is called with each accepted candidate before the next
/// op is analyzed (so it may rewrite it at once); the walk stops when `take`
/// fails.
template <typename Analyze, typename Take, typename Counter>
mlir::LogicalResult
forEachContraction(mlir::Operation *root, llvm::StringRef method,
                   Analyze &&analyze, Take &&take, Counter &skipped) {
  for (mlir::linalg::LinalgOp op : collectContractions(root)) {
    std::string why;
    auto candidate = analyze(op, why);
    if (mlir::failed(candidate)) {
      op.emitRemark() << "not rewritten to " << method << ": " << why;
      ++skipped;
      continue;
    }
    if (mlir::failed(take(*candidate)))
      return mlir::failure();
  }
  return mlir::success();
}

/// The activations collapsed to rows x K (unchanged when already 2-D).
mlir::Value flattenLhs(mlir::OpBuilder &b, const Contraction &c);

/// The contraction's init collapsed to rows x N.
mlir::Value flattenInit(mlir::OpBuilder &b, const Contraction &c);

/// The type of the result collapsed to rows x N.
mlir::RankedTensorType flatResultType(const Contraction &c);

/// Replaces the contraction by `y` (rows x N): first adds the init back when
/// `addInit` and it is not known to be zero, then expands to the result's
/// shape; producers of the old weights that become dead are erased.
void replaceContraction(mlir::RewriterBase &rewriter, const Contraction &c,
                        mlir::Value y, bool addInit);

} // namespace mmfree

#endif // MMFREE_LIB_TRANSFORMS_CONTRACTIONMATCH_H
