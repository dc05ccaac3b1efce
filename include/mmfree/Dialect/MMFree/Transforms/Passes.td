//===- Passes.td - rewrites of linalg into mmfree ops ------*- tablegen -*-===//

#ifndef MMFREE_TRANSFORMS_PASSES
#define MMFREE_TRANSFORMS_PASSES

include "mlir/Pass/PassBase.td"

def MatmulToTernary : Pass<"mmfree-matmul-to-ternary", "::mlir::ModuleOp"> {
  let summary = "Rewrite f32 matmuls with constant weights into ternary add/sub";
  let description = [{
    Accepts every f32 linalg contraction on tensors (named or generic, see
    lib/Dialect/MMFree/Transforms/ContractionMatch.h: one reduction and one
    output-channel dimension, leading batch/sequence dimensions as rows,
    weights broadcast over the batch) whose weights fold to a compile-time
    constant (ConstantWeights.h: dense or dense_resource constants, immutable
    ml_program globals, reshapes, casts, transposes, dequantizing and
    quantizing linalg ops). They are ternarized with absmean scaling
    (BitNet b1.58); weights already in {-c, 0, +c} keep their values with
    scale c. Packing to 2 bits per weight happens here, at compile time.

    Produces `mmfree.quantize_rows` (int8 activations only),
    `mmfree.ternary_matmul` and `mmfree.dequantize`; a nonzero matmul init is
    added back with `linalg.add`.

    With `only-ternary-weights`, weights that are not already ternary (as
    BitNet's output head) are left in f32.

    With `packed-arguments`, runtime weights that the function unpacks from
    an i8 argument of 2-bit codes (transformers' BitNet `BitLinear`:
    UnpackedTernary.h) are rewritten too: that argument is replaced, at
    the same position, by one holding the packed weights in
    `ternary_matmul`'s layout, marked `#mmfree.packed_ternary` with what the
    caller must pack (the function's signature changes; functions called
    inside the module are left alone).

    A contraction that cannot be rewritten (runtime weights, non-f32 types,
    transposed activations, batched weights) is left untouched and gets a
    remark saying why.
  }];
  let dependentDialects = ["::mmfree::MMFreeDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
  let statistics = [
    Statistic<"numRewritten", "rewritten", "Contractions rewritten">,
    Statistic<"numSkipped", "skipped", "Contractions left alone (remarked)">,
  ];
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
    Option<"onlyTernaryWeights", "only-ternary-weights", "bool", "false",
           "Rewrite only contractions whose weights are already c * {-1, 0, "
           "1} (per tensor, or per channel with scale=per-channel), as in "
           "BitNet layers; others (an f32 output head) keep f32, with a "
           "remark">,
    Option<"packedArguments", "packed-arguments", "bool", "false",
           "Also rewrite weights unpacked at run time from a function "
           "argument of 2-bit codes, replacing that argument by packed "
           "weights (#mmfree.packed_ternary)">,
  ];
}

def MatmulToLMul : Pass<"mmfree-matmul-to-lmul", "::mlir::ModuleOp"> {
  let summary = "Rewrite float matmuls into L-Mul products with f32 sums";
  let description = [{
    Accepts the contractions the ternary rewrite accepts whose activations
    and weights have the same element type among f32, bf16, f16, f8E4M3FN
    and f8E5M2; both may be runtime values. Produces `mmfree.lmul_matmul`,
    which accumulates in f32; a non-f32 result is converted back with
    `arith.truncf` (and its init extended with `arith.extf`) in
    `linalg.generic`s.

    `mantissa-bits` = k (0: the format's full mantissa) must not exceed the
    format's mantissa bits; a larger k fails the pass with an error. Matmuls
    of other types are left untouched with a remark.
  }];
  let dependentDialects = ["::mmfree::MMFreeDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
  let statistics = [
    Statistic<"numRewritten", "rewritten", "Contractions rewritten">,
    Statistic<"numSkipped", "skipped", "Contractions left alone (remarked)">,
  ];
  let options = [
    Option<"mantissaBits", "mantissa-bits", "unsigned", "0",
           "Mantissa bits k used by L-Mul (0: all of the format's)">,
  ];
}

def MulToLMul : Pass<"mmfree-mul-to-lmul", "::mlir::ModuleOp"> {
  let summary = "Replace arith.mulf inside linalg.generic bodies by L-Mul";
  let description = [{
    Replaces every `arith.mulf` in the body of a `linalg.generic` (for
    example attention score products) whose type is f32, bf16, f16,
    f8E4M3FN or f8E5M2 by `mmfree.lmul`, as the paper applies L-Mul to all
    products of a model. Multiplies of other float types are left with a
    remark; `mantissa-bits` beyond a format's mantissa fails the pass.

    With `batched-only`, only the products of batched contractions are
    replaced: generics with a reduction whose multiply takes its two inputs
    and share a parallel (batch) dimension among both inputs and the output,
    as attention's scores and weighted values (generalized
    `linalg.batch_matmul`s). Products of other contractions (a generalized
    output head, say) are left with a remark; elementwise products (norms,
    RoPE, activations) are left silently.
  }];
  let dependentDialects = ["::mmfree::MMFreeDialect"];
  let options = [
    Option<"mantissaBits", "mantissa-bits", "unsigned", "0",
           "Mantissa bits k used by L-Mul (0: all of the format's)">,
    Option<"batchedOnly", "batched-only", "bool", "false",
           "Only products of batched contractions (attention)">,
  ];
}

def MatmulToLut : Pass<"mmfree-matmul-to-lut", "::mlir::ModuleOp"> {
  let summary = "Rewrite f32 matmuls with constant weights into MADDNESS "
                "table lookups, learning the hash and tables at compile time";
  let description = [{
    Accepts the contractions of the ternary rewrite (f32, weights that fold
    to constants B, K x N). From `calibration`, a .npy file of rows of
    the activations A (C-ordered float32 or float64, K columns), it learns
    per codebook a depth-4 hash tree over a contiguous subspace of K, ridge
    regression prototypes and uint8 tables against B (lib/Numerics), embeds
    them as constants and emits `mmfree.lut_encode`, `mmfree.lut_matmul` and
    a rescale `(acc / divisor + offset)`; a nonzero matmul init is added back.

    With several files (`calibration=a.npy,b.npy,...`), the i-th f32
    contraction with constant weights, in IR order, learns from the i-th
    file: a model layer whose projections see different activations (as
    recorded by running it) gets one file per projection. A file count
    other than the number of such contractions, or a file whose columns
    differ from its contraction's K, is then an error.

    A missing or malformed calibration file, or more codebooks than its
    columns, fails the pass with an error. With one file, contractions whose
    K differs from its columns, with runtime weights or non-f32 types get a
    remark.
  }];
  let dependentDialects = ["::mmfree::MMFreeDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
  let statistics = [
    Statistic<"numRewritten", "rewritten", "Contractions rewritten">,
    Statistic<"numSkipped", "skipped", "Contractions left alone (remarked)">,
  ];
  let options = [
    ListOption<"calibration", "calibration", "std::string",
               "Paths of .npy files of calibration rows of A: one file for "
               "every contraction whose K it fits, or one file per "
               "contraction with constant weights, in IR order">,
    Option<"codebooks", "codebooks", "unsigned", "16",
           "Number of codebooks (contiguous subspaces of K)">,
    Option<"accumulation", "accumulation", "::mmfree::LutAccumulation",
           "::mmfree::LutAccumulation::Exact",
           "How the table entries are combined",
           [{::llvm::cl::values(
             clEnumValN(::mmfree::LutAccumulation::Exact, "exact",
                        "exact 16-bit sums"),
             clEnumValN(::mmfree::LutAccumulation::Average, "average",
                        "pairwise rounding averages (vpavgb), biased"))}]>,
  ];
}

def FoldConstantGlobals : Pass<"mmfree-fold-constant-globals",
                               "::mlir::ModuleOp"> {
  let summary = "Replace loads of immutable ml_program globals by constants";
  let description = [{
    `ml_program.global_load_const` and `ml_program.global_load` of a global
    that is not mutable and has an initial value (dense or dense_resource)
    become `arith.constant` of that value; private immutable globals left
    without uses are erased. Weights that front ends keep in globals thus
    reach the rewrites as constants, and modules with such globals bufferize.
    Mutable globals (state) are left as they are.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def CheckWeights : Pass<"mmfree-check-weights", "::mlir::ModuleOp"> {
  let summary = "Check that constant operands hold values the kernels take";
  let description = [{
    Every `mmfree.ternary_matmul` whose packed weights are a constant must
    hold only the codes 0, 1 and 2 and zeros past K; constant `lut_matmul`
    codes must lie in [0, 16) and constant `lut_encode` split dimensions in
    [0, D): the kernels index with them unchecked. An invalid constant is an
    error naming the op. First step of `mmfree-cpu-pipeline` and
    `mmfree-gpu-pipeline`; the op verifiers check only the op (scanning
    N x K constant codes made every verification of a large layer slow).
    Splats are checked once.
  }];
}

#endif // MMFREE_TRANSFORMS_PASSES
