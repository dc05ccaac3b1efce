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
  let summary = "Lower mmfree contractions to vectorized CPU kernels";
  let description = [{
    Rewrites `mmfree.ternary_matmul` into `scf.for` loops whose bodies work on
    16-lane vectors: groups of 4 rows share each weight load and decode,
    groups of 4 output channels share each activation load, one 16-byte load
    of packed weights is decoded four times (shift by 2j, mask) into select
    masks that add, subtract or skip 16 consecutive activations. No multiply
    appears in the kernel.

    Also lowers `mmfree.lmul_matmul` (per-operand prologue, integer-add
    products, f32 sums in increasing k; exact generic for inf/NaN) and the
    MADDNESS ops `mmfree.lut_encode` (up to 16 codebooks in lanes) and
    `mmfree.lut_matmul` (outputs in 32-lane vectors). Ops it does not match
    (dynamic sizes, more codebooks) are left for `mmfree-lower-to-linalg`.
  }];
  let dependentDialects = ["::mlir::vector::VectorDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
}

def VectorizeMatmul : Pass<"mmfree-vectorize-matmul", "::mlir::ModuleOp"> {
  let summary = "Tile and vectorize f32 linalg.matmul (the f32 baseline)";
  let description = [{
    Tiles every static f32 `linalg.matmul` on tensors into 4 x 16 x 16 tiles
    (or the largest power-of-two divisor of each size) with the upstream
    TilingInterface and vectorizes each tile with `linalg::vectorize` into a
    `vector.contract`. A `linalg.transpose` (permutation [1, 0]) feeding B,
    as torch-mlir emits for nn.Linear, is folded into B's indexing map first
    instead of being copied. This gives the plain f32 path of
    `mmfree-cpu-pipeline` vector code, so that timings of the mmfree
    rewrites are compared with a vectorized baseline. Matmuls with dynamic
    sizes are left alone.
  }];
  let dependentDialects = ["::mlir::vector::VectorDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // MMFREE_CONVERSION_PASSES
