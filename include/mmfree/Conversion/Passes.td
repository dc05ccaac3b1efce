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
    multiply. Fails if an mmfree op is left. `#mmfree.packed_ternary`
    argument attributes are dropped (callers read them before lowering).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // MMFREE_CONVERSION_PASSES
