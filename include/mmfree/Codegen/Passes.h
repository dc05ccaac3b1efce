//===- Passes.h - mmfree to vector, x86 and GPU code ------------*- C++ -*-===//

#ifndef MMFREE_CODEGEN_PASSES_H
#define MMFREE_CODEGEN_PASSES_H

#include "mmfree/Codegen/CPU/KernelSelection.h"
#include "mmfree/Conversion/Passes.h"
#include "mmfree/Dialect/MMFree/IR/MMFree.h"

#include "mlir/Dialect/AMX/AMXDialect.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassOptions.h"

namespace mmfree {

#define GEN_PASS_DECL
#include "mmfree/Codegen/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "mmfree/Codegen/Passes.h.inc"

/// The vector kernel of mmfree.lmul_matmul (part of mmfree-lower-to-vector).
void populateLMulMatmulToVectorPatterns(mlir::RewritePatternSet &patterns,
                                        CpuTargetAttr target);

/// The vector kernels of mmfree.lut_encode and mmfree.lut_matmul (part of
/// mmfree-lower-to-vector); each lut_matmul by the kernel its mmfree.kernel
/// names.
void populateLutToVectorPatterns(mlir::RewritePatternSet &patterns,
                                 CpuTargetAttr target);

/// The T-MAC-style ternary kernel (bit-plane tables, byte shuffles) of the
/// ternary_matmul ops whose mmfree.kernel is `lookup`; part of
/// mmfree-lower-to-vector.
void populateTernaryLookupPatterns(mlir::RewritePatternSet &patterns);

/// ternary_matmul with a `tiles` kernel as AMX int8 tile products.
void populateTernaryTilePatterns(mlir::RewritePatternSet &patterns);

/// Options of `mmfree-cpu-pipeline` (those of mmfree-select-kernels).
struct CpuPipelineOptions : mlir::PassPipelineOptions<CpuPipelineOptions> {
  Option<std::string> target{
      *this, "target",
      llvm::cl::desc("The CPU: generic, x86-64, x86-64-v2, x86-64-v3, "
                     "x86-64-v4 or host, then +feature / -feature items "
                     "and l1d=SIZE / l2=SIZE cache sizes; "
                     "empty: the module's mmfree.target, else generic"),
      llvm::cl::init("")};
  Option<int64_t> threads{
      *this, "threads",
      llvm::cl::desc("Threads for the ternary and MADDNESS kernels (OpenMP); "
                     "0: the target's"),
      llvm::cl::init(0)};
  Option<KernelChoice> ternaryKernel{
      *this, "ternary-kernel",
      llvm::cl::desc("Force a ternary_matmul kernel where it applies"),
      llvm::cl::init(KernelChoice::Auto),
      llvm::cl::values(
          clEnumValN(KernelChoice::Auto, "auto", "the cost model's choice"),
          clEnumValN(KernelChoice::Select, "select", "add/sub selects"),
          clEnumValN(KernelChoice::Dots, "dots", "VNNI byte dot products"),
          clEnumValN(KernelChoice::Lookup, "lookup",
                     "bit-plane tables and byte shuffles"),
          clEnumValN(KernelChoice::Tiles, "tiles", "AMX int8 tiles"))};
  Option<KernelChoice> lutKernel{
      *this, "lut-kernel",
      llvm::cl::desc("Force a lut_matmul kernel where it applies"),
      llvm::cl::init(KernelChoice::Auto),
      llvm::cl::values(
          clEnumValN(KernelChoice::Auto, "auto", "the cost model's choice"),
          clEnumValN(KernelChoice::Loads, "loads",
                     "table loads, outputs in lanes"),
          clEnumValN(KernelChoice::Shuffle, "shuffle",
                     "byte shuffles, rows in lanes"))};
  Option<bool> outParams{
      *this, "out-params",
      llvm::cl::desc("Results become caller-allocated out-parameters "
                     "(static shapes): the result is written into the "
                     "caller's buffer, which a decode loop reuses"),
      llvm::cl::init(false)};
};

/// Adds `mmfree-cpu-pipeline` to `pm` (a module pass manager): mmfree and
/// linalg on tensors down to the LLVM dialect, bufferized, the mmfree
/// contractions through their vector kernels. For other drivers (IREE-style
/// pipeline builders) as well as the registration below.
void buildCpuPipeline(mlir::OpPassManager &pm,
                      const CpuPipelineOptions &options);

/// Registers `mmfree-cpu-pipeline` (buildCpuPipeline).
void registerCpuPipeline();

/// Options of `mmfree-gpu-pipeline`.
struct GpuPipelineOptions : mlir::PassPipelineOptions<GpuPipelineOptions> {
  Option<std::string> chip{*this, "chip", llvm::cl::desc("Target chip"),
                           llvm::cl::init("sm_80")};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("Output: isa (PTX text) or bin (cubin, needs ptxas)"),
      llvm::cl::init("isa")};
  Option<std::string> toolkit{
      *this, "toolkit", llvm::cl::desc("CUDA toolkit directory (bin/ptxas)"),
      llvm::cl::init("")};
  Option<bool> barePointers{
      *this, "bare-pointers",
      llvm::cl::desc("Pass kernel buffers as bare pointers (static shapes)"),
      llvm::cl::init(true)};
};

/// Adds `mmfree-gpu-pipeline` to `pm` (a module pass manager): mmfree on
/// tensors to gpu.binary through the GPU kernels of mmfree-gpu-tile and the
/// upstream NVVM lowering.
void buildGpuPipeline(mlir::OpPassManager &pm,
                      const GpuPipelineOptions &options);

/// Registers `mmfree-gpu-pipeline` (buildGpuPipeline).
void registerGpuPipeline();

/// The PTX ISA feature (e.g. "+ptx80") that `chip` needs, or "" when the
/// GPU pipeline does not target `chip`.
llvm::StringRef gpuPtxFeatures(llvm::StringRef chip);

/// The ptxas that gpu-module-to-binary will use, or "" if none is found.
std::string findPtxas(llvm::StringRef toolkit);

} // namespace mmfree

#endif // MMFREE_CODEGEN_PASSES_H
