//===- MatmulForms.h - matmul shapes front ends emit ------------*- C++ -*-===//
//
// Recognizes the matmul forms every mmfree rewrite accepts: a plain
// linalg.matmul (B is K x N), B transposed through indexing_maps, and a
// linalg.transpose of an N x K weight feeding a plain matmul (nn.Linear).
//
//===----------------------------------------------------------------------===//

#ifndef MMFREE_LIB_TRANSFORMS_MATMULFORMS_H
#define MMFREE_LIB_TRANSFORMS_MATMULFORMS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <string>
#include <vector>

namespace mmfree {

struct MatmulForm {
  mlir::Value lhs;    // M x K
  mlir::Value rhs;    // K x N, or N x K when rhsTransposed
  bool rhsTransposed; // rhs is N x K (through indexing_maps or a transpose)
};

/// The form of `op`, or failure with the reason in `why`.
mlir::FailureOr<MatmulForm> matchMatmulForm(mlir::linalg::MatmulOp op,
                                            std::string &why);

/// Values of constant weights (dense or dense_resource, f32 or i8, looking
/// through an arith.sitofp from i8), or failure with the reason in `why`.
mlir::FailureOr<std::vector<float>> constantWeights(mlir::Value v,
                                                    std::string &why);

/// Replaces `op` by `y`, first adding the matmul's init back when `addInit`
/// and it is not known to be zero, then drops the weights' producer chain
/// (transpose, cast, constant) once unused.
void replaceMatmul(mlir::RewriterBase &rewriter, mlir::linalg::MatmulOp op,
                   mlir::Value y, bool addInit);

} // namespace mmfree

#endif // MMFREE_LIB_TRANSFORMS_MATMULFORMS_H
