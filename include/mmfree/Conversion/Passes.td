//===- Passes.td - lowerings out of mmfree -----------------*- tablegen -*-===//

#ifndef MMFREE_CONVERSION_PASSES
#define MMFREE_CONVERSION_PASSES

include "mlir/Pass/PassBase.td"

def LowerToLinalg : Pass<"mmfree-lower-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Lower mmfree ops to upstream linalg.generic, tensor and arith";
  let description = [{
    Rewrites every mmfree op into `linalg.generic`, `linalg.fill`, `tensor`,
    `arith` and `math` ops only, so that any stock MLIR, IREE or torch-mlir
    pipeline can take the result. The ternary contraction becomes a generic
    over (m, n, block, j, byte) whose body decodes the 2-bit code with shifts
    and masks and adds, subtracts or skips the activation: it holds no
    multiply. Fails if an mmfree op is left.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::tensor::TensorDialect"];
}

def LowerToVector : Pass<"mmfree-lower-to-vector", "::mlir::ModuleOp"> {
  let summary = "Lower mmfree.ternary_matmul to a vectorized CPU kernel";
  let description = [{
    Rewrites `mmfree.ternary_matmul` into `scf.for` loops over rows and
    output channels whose body works on 16-lane vectors: one 16-byte load of
    packed weights is decoded four times (shift by 2j, mask) into select
    masks that add, subtract or skip 16 consecutive activations into vector
    accumulators of the op's accumulator type. Four output channels share
    each activation load. No multiply appears in the kernel. Other mmfree
    ops are left for `mmfree-lower-to-linalg`.
  }];
  let dependentDialects = ["::mlir::vector::VectorDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // MMFREE_CONVERSION_PASSES
