//===- MMFree.h - mmfree dialect --------------------------------*- C++ -*-===//

#ifndef MMFREE_DIALECT_MMFREE_IR_MMFREE_H
#define MMFREE_DIALECT_MMFREE_IR_MMFREE_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mmfree/Numerics/LMul.h"

#include <optional>

#include "mmfree/Dialect/MMFree/IR/MMFreeOpsDialect.h.inc"

#include "mmfree/Dialect/MMFree/IR/MMFreeEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "mmfree/Dialect/MMFree/IR/MMFreeAttrs.h.inc"

#define GET_OP_CLASSES
#include "mmfree/Dialect/MMFree/IR/MMFreeOps.h.inc"

namespace mmfree {
/// The discardable attribute holding a module's CpuTargetAttr.
constexpr llvm::StringLiteral kTargetAttrName = "mmfree.target";
/// The discardable attribute holding a contraction's KernelAttr.
constexpr llvm::StringLiteral kKernelAttrName = "mmfree.kernel";
/// The function-argument attribute of weights packed at load time.
constexpr llvm::StringLiteral kPackedTernaryAttrName = "mmfree.packed_ternary";
/// The most threads a kernel or target may name (a bound that keeps every
/// split's arithmetic in range).
constexpr int64_t kMaxThreads = 1024;
/// Cache sizes a target may give (bytes), and the cost model's sizes where
/// it gives none.
constexpr int64_t kMinCacheBytes = 1024;
constexpr int64_t kMaxCacheBytes = int64_t(1) << 30;
constexpr int64_t kDefaultL1dBytes = 32 * 1024;
constexpr int64_t kDefaultL2Bytes = 1024 * 1024;

/// TilingInterface on ternary_matmul, dequantize and lut_matmul (their loops
/// are their result's dimensions); called when the dialect loads.
void attachTilingModels(mlir::MLIRContext &context);

/// Patterns (also the ops' canonicalizations) that replace an mmfree op
/// computing nothing, one whose results have no elements or an lmul_matmul
/// with K = 0, by its destinations. Kernel builders do not see such ops.
void populateFoldEmptyPatterns(mlir::RewritePatternSet &patterns);

/// True when `op` computes nothing in the sense above.
bool computesNothing(mlir::Operation *op);

/// The L-Mul float format of `type` (or of its elements); nullopt for types
/// L-Mul does not support.
std::optional<numerics::FloatFormat> getLMulFormat(mlir::Type type);
} // namespace mmfree

#endif // MMFREE_DIALECT_MMFREE_IR_MMFREE_H
