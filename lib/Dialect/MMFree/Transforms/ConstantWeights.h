//===- ConstantWeights.h - weights folded at compile time ------*- C++ -*-===//
//
// Evaluates the producer chain of a weight operand to its values, so that
// the rewrites see through what front ends put between a parameter and the
// contraction. Accepted, recursively:
//   * constants: dense or dense_resource (with data) of f32, f16, bf16, i8,
//     i32 elements, splats included;
//   * loads of immutable ml_program.globals (global_load_const, global_load)
//     whose initial value is such a constant;
//   * tensor.cast, tensor.collapse_shape, tensor.expand_shape (same data);
//   * linalg.transpose, linalg.broadcast;
//   * all-parallel linalg.generic ops with projected-permutation maps whose
//     body uses only arith.constant, sitofp, uitofp, extf, truncf, extsi,
//     extui, mulf, addf, subf, divf, negf (dequantization: i8 times a scale,
//     transposes and broadcasts written as generics);
//   * arith.sitofp, extf, truncf on tensors.
// Every value is computed as the IR computes it (rounded to its element
// type after each operation).
//
//===----------------------------------------------------------------------===//

#ifndef MMFREE_LIB_TRANSFORMS_CONSTANTWEIGHTS_H
#define MMFREE_LIB_TRANSFORMS_CONSTANTWEIGHTS_H

#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"

#include <string>
#include <vector>

namespace mmfree {

/// The most elements a folded weight (or any tensor on its chain) may have.
constexpr int64_t kMaxFoldedElements = int64_t(1) << 28;

/// The values of `v`, a statically shaped tensor, row-major, or failure with
/// the reason in `why` (also when a value is not finite).
mlir::FailureOr<std::vector<float>> constantWeights(mlir::Value v,
                                                    std::string &why);

/// The value of a scalar constant (float, integer, or a splat tensor's
/// element), or nullopt.
std::optional<double> scalarConstant(mlir::Value v);

/// One scalar op of a weight computation on `args` (integers as the signed
/// values of their width), or nullopt if it is not one the fold evaluates.
/// `point` is the iteration point (for linalg.index).
std::optional<double> evalScalar(mlir::Operation *op,
                                 llvm::ArrayRef<double> args,
                                 llvm::ArrayRef<int64_t> point = {});

} // namespace mmfree

#endif // MMFREE_LIB_TRANSFORMS_CONSTANTWEIGHTS_H
