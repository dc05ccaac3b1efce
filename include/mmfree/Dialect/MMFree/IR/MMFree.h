//===- MMFree.h - mmfree dialect --------------------------------*- C++ -*-===//

#ifndef MMFREE_DIALECT_MMFREE_IR_MMFREE_H
#define MMFREE_DIALECT_MMFREE_IR_MMFREE_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "mmfree/Dialect/MMFree/IR/MMFreeOpsDialect.h.inc"

#define GET_OP_CLASSES
#include "mmfree/Dialect/MMFree/IR/MMFreeOps.h.inc"

#endif // MMFREE_DIALECT_MMFREE_IR_MMFREE_H
