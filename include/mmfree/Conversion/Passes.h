//===- Passes.h - mmfree to portable upstream IR ----------------*- C++ -*-===//

#ifndef MMFREE_CONVERSION_PASSES_H
#define MMFREE_CONVERSION_PASSES_H

#include "mmfree/Dialect/MMFree/IR/MMFree.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mmfree {

#define GEN_PASS_DECL
#include "mmfree/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "mmfree/Conversion/Passes.h.inc"

} // namespace mmfree

#endif // MMFREE_CONVERSION_PASSES_H
