//===- Passes.h - mmfree to vector, x86 and GPU code ------------*- C++ -*-===//

#ifndef MMFREE_CODEGEN_PASSES_H
#define MMFREE_CODEGEN_PASSES_H

#include "mmfree/Conversion/Passes.h"
#include "mmfree/Dialect/MMFree/IR/MMFree.h"

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
void populateLMulMatmulToVectorPatterns(mlir::RewritePatternSet &patterns);

/// The vector kernels of mmfree.lut_encode and mmfree.lut_matmul (part of
/// mmfree-lower-to-vector); `shuffleLanes` (32: AVX2, 64: AVX-512BW, 0:
/// none) enables the vpshufb lookups for lut_matmul with few outputs;
/// `threads` splits the row blocks of the block kernels.
void populateLutToVectorPatterns(mlir::RewritePatternSet &patterns,
                                 int64_t shuffleLanes, int64_t threads = 1);

/// The T-MAC-style ternary kernel (bit-plane tables, byte shuffles) with
/// `lanes` (32 or 64) channels per shuffle, the channels split over
/// `threads` (scf.parallel); part of mmfree-lower-to-vector.
void populateTernaryLookupPatterns(mlir::RewritePatternSet &patterns,
                                   int64_t lanes, int64_t threads);

/// i32 lanes of the VNNI ternary kernel from a `ternary-dots` option value
/// (host, avx512vnni, avxvnni, none): 16, 8 or 0; -1 for an unknown value.
int64_t ternaryDotLanes(llvm::StringRef option);

/// Byte-shuffle lanes for the lut_matmul kernel from a `lut-shuffle` option
/// value (host, avx512bw, avx2, none); -1 for an unknown value.
int64_t lutShuffleLanes(llvm::StringRef option);

/// Options of `mmfree-cpu-pipeline` (the kernel choices of
/// mmfree-lower-to-vector).
struct CpuPipelineOptions : mlir::PassPipelineOptions<CpuPipelineOptions> {
  Option<std::string> lutShuffle{
      *this, "lut-shuffle",
      llvm::cl::desc("Byte shuffles for MADDNESS lookups: host, avx512bw, "
                     "avx2 or none"),
      llvm::cl::init("host")};
  Option<std::string> ternaryDots{
      *this, "ternary-dots",
      llvm::cl::desc("Byte dot products for the i8 ternary kernel: host, "
                     "avx512vnni, avxvnni or none"),
      llvm::cl::init("host")};
  Option<std::string> ternaryLookup{
      *this, "ternary-lookup",
      llvm::cl::desc("T-MAC-style lookups for the i8 ternary kernel: auto, "
                     "avx512bw, avx2 or none"),
      llvm::cl::init("auto")};
  Option<int64_t> threads{
      *this, "threads",
      llvm::cl::desc("Threads for the ternary and MADDNESS kernels (OpenMP)"),
      llvm::cl::init(1)};
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
