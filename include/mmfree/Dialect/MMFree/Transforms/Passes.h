//===- Passes.h - rewrites of linalg into mmfree ops ------------*- C++ -*-===//

#ifndef MMFREE_DIALECT_MMFREE_TRANSFORMS_PASSES_H
#define MMFREE_DIALECT_MMFREE_TRANSFORMS_PASSES_H

#include "mmfree/Dialect/MMFree/IR/MMFree.h"
#include "mmfree/Numerics/Ternary.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Pass/Pass.h"

namespace mmfree {

/// Activation mode of the ternary rewrite.
enum class TernaryActivations { Int8, Float };

#define GEN_PASS_DECL
#include "mmfree/Dialect/MMFree/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "mmfree/Dialect/MMFree/Transforms/Passes.h.inc"

} // namespace mmfree

#endif // MMFREE_DIALECT_MMFREE_TRANSFORMS_PASSES_H
