//===- Passes.td - mmfree to vector, x86 and GPU code ------*- tablegen -*-===//

#ifndef MMFREE_CODEGEN_PASSES
#define MMFREE_CODEGEN_PASSES

include "mlir/Pass/PassBase.td"

def LowerToVector : Pass<"mmfree-lower-to-vector", "::mlir::ModuleOp"> {
  let summary = "Lower mmfree contractions to vectorized CPU kernels";
  let description = [{
    Rewrites `mmfree.ternary_matmul` into `scf.for` loops whose bodies work on
    16-lane vectors: groups of 4 rows share each weight load and decode,
    groups of 4 output channels share each activation load, one 16-byte load
    of packed weights is decoded four times (shift by 2j, mask) into select
    masks that add, subtract or skip 16 consecutive activations. No multiply
    appears in that kernel. With `ternary-dots=avx512vnni` and i8
    activations instead: the weights decoded to bytes w + 1 in {0, 1, 2},
    one `mmfree.x86_dot_bytes` per row, channel and 64-weight block plus one per
    row and block for the activation sum that the offset adds. A
    `mmfree.quantize_rows` feeding only the contraction becomes each row
    group's vectorized prologue, and a `mmfree.dequantize` fed only by it
    the epilogue (no accumulator tensor). With the `tiles` kernel (AMX
    targets, M a multiple of 32): weights decoded per 32-channel panel to
    signed bytes, products by `amx.tile_muli`.

    Also lowers `mmfree.lmul_matmul` (per-operand prologue, integer-add
    products, f32 sums in increasing k; exact generic for inf/NaN) and the
    MADDNESS ops `mmfree.lut_encode` (up to 16 codebooks in lanes) and
    `mmfree.lut_matmul` (outputs in 64- or 32-lane vectors; with at most 32
    outputs and x86 byte shuffles, rows in 32 or 64 lanes and one vpshufb
    per output and codebook). A column-major encode whose codes feed only
    the lookups is fused into them, and an elementwise consumer of the
    sums (the rescale) is applied before the f32 result is written. Ops it
    does not match (dynamic sizes, more codebooks) are left for
    `mmfree-lower-to-linalg`.

    Each ternary_matmul and lut_matmul is lowered by the kernel its
    `mmfree.kernel` attribute names (see `mmfree-select-kernels`); one
    without the attribute gets the cost model's choice for the module's
    `mmfree.target` (the generic target when there is none), which the
    pass then removes. The host's CPU is never consulted.
  }];
  let dependentDialects = ["::mmfree::MMFreeDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::amx::AMXDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::bufferization::BufferizationDialect"];
}

def SelectKernels : Pass<"mmfree-select-kernels", "::mlir::ModuleOp"> {
  let summary = "Choose each contraction's CPU kernel for a target";
  let description = [{
    Sets the module's `mmfree.target` (a `#mmfree.cpu_target`) from the
    `target` option, or keeps the one it has (the generic target when it
    has none), and writes a `#mmfree.kernel` on every `mmfree.ternary_matmul`
    and `mmfree.lut_matmul` without one, from the cost model documented in
    docs/kernels.md: ternary with i8 activations through VNNI byte dots
    where the target has them, else T-MAC-style lookups where it has byte
    shuffles and the weights are constant, else add/sub selects; MADDNESS
    through byte shuffles for at most 32 outputs, else table loads. A
    kernel already on an op is kept (forcing a kernel is setting the
    attribute) and checked against the op. `ternary-kernel` and
    `lut-kernel` force a kind where it applies, with a remark where it does
    not; ops no vector kernel takes get a remark and are left for
    `mmfree-lower-to-linalg`. Only `target=host` reads this machine's CPU.
  }];
  let options = [
    Option<"target", "target", "std::string", "\"\"",
           "The CPU: generic, x86-64, x86-64-v2, x86-64-v3, x86-64-v4 or "
           "host, then comma-separated +feature / -feature items and cache "
           "sizes l1d=SIZE / l2=SIZE (e.g. x86-64-v3,+avxvnni,l2=1M); "
           "empty: the module's mmfree.target, else generic">,
    Option<"threads", "threads", "int64_t", "0",
           "Threads the kernels split their work over (scf.parallel, OpenMP "
           "in mmfree-cpu-pipeline); 0: the target's">,
    Option<"ternaryKernel", "ternary-kernel", "::mmfree::KernelChoice",
           "::mmfree::KernelChoice::Auto",
           "Force a ternary_matmul kernel where it applies",
           [{::llvm::cl::values(
               clEnumValN(::mmfree::KernelChoice::Auto, "auto",
                          "the cost model's choice"),
               clEnumValN(::mmfree::KernelChoice::Select, "select",
                          "add/sub selects"),
               clEnumValN(::mmfree::KernelChoice::Dots, "dots",
                          "VNNI byte dot products"),
               clEnumValN(::mmfree::KernelChoice::Lookup, "lookup",
                          "bit-plane tables and byte shuffles"),
               clEnumValN(::mmfree::KernelChoice::Tiles, "tiles",
                          "AMX int8 tiles"))}]>,
    Option<"lutKernel", "lut-kernel", "::mmfree::KernelChoice",
           "::mmfree::KernelChoice::Auto",
           "Force a lut_matmul kernel where it applies",
           [{::llvm::cl::values(
               clEnumValN(::mmfree::KernelChoice::Auto, "auto",
                          "the cost model's choice"),
               clEnumValN(::mmfree::KernelChoice::Loads, "loads",
                          "table loads, outputs in lanes"),
               clEnumValN(::mmfree::KernelChoice::Shuffle, "shuffle",
                          "byte shuffles, rows in lanes"))}]>
  ];
  let statistics = [
    Statistic<"numSelect", "select", "ternary kernels: add/sub selects">,
    Statistic<"numDots", "dots", "ternary kernels: VNNI dots">,
    Statistic<"numLookup", "lookup", "ternary kernels: lookups">,
    Statistic<"numTiles", "tiles", "ternary kernels: AMX tiles">,
    Statistic<"numLoads", "loads", "lut kernels: table loads">,
    Statistic<"numShuffle", "shuffle", "lut kernels: byte shuffles">
  ];
  let dependentDialects = ["::mmfree::MMFreeDialect"];
}

def VectorizeMatmul : Pass<"mmfree-vectorize-matmul", "::mlir::ModuleOp"> {
  let summary = "Tile and vectorize f32 linalg.matmul (the f32 baseline)";
  let description = [{
    Tiles every static f32 `linalg.matmul` on tensors into 4 x 16 x 16 tiles
    (or the largest power-of-two divisor of each size) with the upstream
    TilingInterface and vectorizes each tile with `linalg::vectorize` into a
    `vector.contract`. A `linalg.transpose` (permutation [1, 0]) feeding B,
    as torch-mlir emits for nn.Linear, is folded into B's indexing map first
    instead of being copied. B may be f16 or bf16: an elementwise
    `linalg.generic` that only widens it to f32 (torch-mlir's
    `weight.float()`) is folded into the matmul, whose tiles then read the
    narrow values and extend them. A GEMV (M = 1) on B in nn.Linear's N x K
    layout has K split into K/16 x 16 lanes (upstream `splitReduction`):
    tiles of 8 rows x 16 lanes of elementwise multiply-adds, each row's
    lanes reduced once at the end, instead of a 16 x 16 transpose of B per
    tile. This gives the plain f32 path of `mmfree-cpu-pipeline` vector
    code (and the output head of the compiled models), so that timings of
    the mmfree rewrites are compared with a vectorized baseline. Matmuls
    with dynamic sizes are left alone. With `threads` > 1, a GEMV's rows
    are split into one `scf.forall` chunk per thread (when they divide
    evenly), which `mmfree-cpu-pipeline` runs as an OpenMP region. Static
    f32 `linalg.batch_matmul`s (attention's scores and weighted values) are
    tiled 1 x 4 x 16 x 16 and vectorized the same way. A GEMV tile
    multiply-adds with `vector.fma`; its rows fit the `target`'s registers
    (its accumulators stay in them over K once `mmfree-cpu-pipeline` has
    hoisted the loop-invariant subsets): 8 with AVX-512 (8 zmm), else 4
    (8 ymm).
  }];
  let options = [
    Option<"threads", "threads", "int64_t", /*default=*/"1",
           "threads a GEMV's rows are split over">,
    Option<"target", "target", "std::string", /*default=*/"",
           "CPU target as in mmfree-select-kernels (default: the module's "
           "mmfree.target, else generic)">
  ];
  let dependentDialects = ["::mmfree::MMFreeDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

def VectorizeElementwise : Pass<"mmfree-vectorize-elementwise",
                                "::mlir::ModuleOp"> {
  let summary = "Tile and vectorize static elementwise linalg.generic ops";
  let description = [{
    Tiles every all-parallel `linalg.generic` on tensors with static sizes
    and projected-permutation maps into single rows of its innermost loop
    (whole rows up to 128 elements, else the largest power-of-two divisor up
    to 32; upstream TilingInterface) and vectorizes each tile with
    `linalg::vectorize`. Used by `mmfree-cpu-pipeline` so that the work around the mmfree
    kernels (dequantize, the MADDNESS rescale, activation quantization, bias
    adds) is vector code rather than scalar loops. Ops it cannot tile or
    vectorize are left for `convert-linalg-to-loops`.
  }];
  let dependentDialects = ["::mlir::vector::VectorDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

def SplitEmptyTensors : Pass<"mmfree-split-empty-tensors",
                              "::mlir::ModuleOp"> {
  let summary = "Give every destination-style init its own tensor.empty";
  let description = [{
    After CSE one `tensor.empty` may be the init of hundreds of ops (every
    layer of a whole model has the same shapes). One-Shot Bufferize then
    compares each of those writes with every other use of the same value:
    quadratic in the model's depth (12 BitNet-2B layers: 10.8 s, 2.9 s with
    one empty per use). This pass clones a shared `tensor.empty` next to each
    destination-style op that writes into it; the IR's meaning is unchanged
    (an empty tensor's contents are unspecified either way).
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

def LowerX86Ops : Pass<"mmfree-lower-x86-ops", "::mlir::ModuleOp"> {
  let summary = "Lower mmfree's x86 vector ops to LLVM intrinsics";
  let description = [{
    Replaces `mmfree.x86_shuffle_bytes` on 16, 32 or 64 bytes with
    `llvm.call_intrinsic` of `llvm.x86.ssse3.pshuf.b.128`,
    `llvm.x86.avx2.pshuf.b` or `llvm.x86.avx512.pshuf.b.512`,
    `mmfree.x86_dot_bytes` with `llvm.x86.avx512.vpdpbusd.512` (16 lanes) or
    `.256` (8 lanes), `mmfree.x86_affine_bytes` with
    `llvm.x86.vgf2p8affineqb.{128,256,512}`, and
    `mmfree.x86_permute_lanes` with `llvm.x86.avx512.permvar.sf.512`. Runs
    after bufferization (the intrinsic call declares no memory effects).
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def GpuTile : Pass<"mmfree-gpu-tile", "::mlir::ModuleOp"> {
  let summary = "Rewrite mmfree contractions into GPU kernels as scf.forall nests";
  let description = [{
    Replaces `mmfree.ternary_matmul` (i8 activations), `mmfree.lut_encode`,
    `mmfree.lut_matmul` and `mmfree.lmul_matmul` with kernels on buffers: an
    `scf.forall` over thread blocks (`#gpu.block<x/y>`, tagged with
    `mmfree.gpu_block_dims`) holding sibling `scf.forall` phases over the
    block's 128 threads (`#gpu.thread<linear_dim_*>`) and staging buffers
    in workgroup (shared) memory. Ternary: packed weights decoded in
    registers, 16-byte coalesced weight loads, K split over 32 lanes and
    reduced through shared memory, 32-bit integer sums. LUT: tables and
    codes staged in shared memory, one thread per output. L-Mul: one thread
    per output summing integer-add products in increasing k. No kernel
    multiplies in its inner loops. Shapes the kernels cannot tile (dynamic
    sizes, rows too long for shared memory, float-activation ternary) are
    errors.

    With `host-executable`, staging buffers stay in the default memory
    space so that `mmfree-cpu-pipeline` runs the very same loops on the CPU
    (the execution tests compare them bit for bit with lib/Numerics).
  }];
  let options = [
    Option<"hostExecutable", "host-executable", "bool", "false",
           "Keep staging buffers in the default memory space (CPU execution)">
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::arith::ArithDialect"];
}

def GpuMap : Pass<"mmfree-gpu-map", "::mlir::ModuleOp"> {
  let summary = "Map the mmfree GPU kernels' scf.forall nests to gpu.launch";
  let description = [{
    Applies the upstream transform ops `transform.gpu.map_forall_to_blocks`
    (generating a `gpu.launch`) and `transform.gpu.map_nested_forall_to_threads`
    (with barriers between sibling thread phases) to every block-level
    `scf.forall` that `mmfree-gpu-tile` tagged with `mmfree.gpu_block_dims`.
    Runs after bufferization.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::transform::TransformDialect"];
}

def GpuCheckTarget : Pass<"mmfree-gpu-check-target", "::mlir::ModuleOp"> {
  let summary = "Reject unknown GPU chips and cubin output without ptxas";
  let description = [{
    The first pass of `mmfree-gpu-pipeline`: fails with a message when
    `chip` is not an NVIDIA architecture the pipeline targets (sm_75 to
    sm_121), when `format` is not `isa` or `bin`, or when `format=bin` and
    no `ptxas` is found (in `toolkit`/bin when `toolkit` is given, else in
    $CUDA_HOME/bin, /usr/local/cuda/bin or PATH).
  }];
  let options = [
    Option<"chip", "chip", "std::string", "\"sm_80\"", "Target chip">,
    Option<"format", "format", "std::string", "\"isa\"",
           "Output format: isa (PTX) or bin (cubin)">,
    Option<"toolkit", "toolkit", "std::string", "\"\"",
           "CUDA toolkit directory holding bin/ptxas">
  ];
}

#endif // MMFREE_CODEGEN_PASSES
