//===- Passes.h - lowerings out of mmfree -----------------------*- C++ -*-===//

#ifndef MMFREE_CONVERSION_PASSES_H
#define MMFREE_CONVERSION_PASSES_H

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

namespace mmfree {

#define GEN_PASS_DECL
#include "mmfree/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "mmfree/Conversion/Passes.h.inc"

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

/// Registers `mmfree-cpu-pipeline`: mmfree and linalg on tensors down to the
/// LLVM dialect, bufferized, with ternary contractions vectorized.
void registerCpuPipeline();

/// Registers `mmfree-gpu-pipeline`: mmfree on tensors to gpu.binary through
/// the GPU kernels of mmfree-gpu-tile and the upstream NVVM lowering.
void registerGpuPipeline();

/// The PTX ISA feature (e.g. "+ptx80") that `chip` needs, or "" when the
/// GPU pipeline does not target `chip`.
llvm::StringRef gpuPtxFeatures(llvm::StringRef chip);

/// The ptxas that gpu-module-to-binary will use, or "" if none is found.
std::string findPtxas(llvm::StringRef toolkit);

} // namespace mmfree

#endif // MMFREE_CONVERSION_PASSES_H
