//===- Passes.td - rewrites of linalg into mmfree ops ------*- tablegen -*-===//

#ifndef MMFREE_TRANSFORMS_PASSES
#define MMFREE_TRANSFORMS_PASSES

include "mlir/Pass/PassBase.td"

def MatmulToTernary : Pass<"mmfree-matmul-to-ternary", "::mlir::ModuleOp"> {
  let summary = "Rewrite f32 matmuls with constant weights into ternary add/sub";
  let description = [{
    Accepts `linalg.matmul` on f32 tensors whose weight operand is a
    compile-time constant, in the forms front ends emit:
    * plain `linalg.matmul` (weights K x N),
    * `linalg.matmul` whose `indexing_maps` read B transposed (weights N x K),
    * `linalg.transpose` (permutation [1, 0]) of N x K weights feeding a plain
      `linalg.matmul` (torch-mlir's `nn.Linear`).
    Weights may be `dense<...>`, `dense_resource<...>` or an `arith.sitofp` of
    an i8 constant. They are ternarized with absmean scaling (BitNet b1.58);
    weights already in {-c, 0, +c} keep their values with scale c. Packing to
    2 bits per weight happens here, at compile time.

    Produces `mmfree.quantize_rows` (int8 activations only),
    `mmfree.ternary_matmul` and `mmfree.dequantize`; a nonzero matmul init is
    added back with `linalg.add`.

    A matmul that cannot be rewritten (runtime weights, non-f32 types,
    transposed A) is left untouched and gets a remark saying why.
  }];
  let dependentDialects = ["::mmfree::MMFreeDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
  let options = [
    Option<"activations", "activations", "::mmfree::TernaryActivations",
           "::mmfree::TernaryActivations::Int8",
           "How activations enter the add/sub contraction",
           [{::llvm::cl::values(
             clEnumValN(::mmfree::TernaryActivations::Int8, "int8",
                        "per-row absmax int8, exact integer sums"),
             clEnumValN(::mmfree::TernaryActivations::Float, "float",
                        "f32 sums, no activation quantization"))}]>,
    Option<"scale", "scale", "::mmfree::numerics::ScaleGranularity",
           "::mmfree::numerics::ScaleGranularity::PerTensor",
           "Granularity of the absmean weight scale",
           [{::llvm::cl::values(
             clEnumValN(::mmfree::numerics::ScaleGranularity::PerTensor,
                        "per-tensor", "one scale for the whole weight"),
             clEnumValN(::mmfree::numerics::ScaleGranularity::PerChannel,
                        "per-channel", "one scale per output channel"))}]>,
  ];
}

#endif // MMFREE_TRANSFORMS_PASSES
