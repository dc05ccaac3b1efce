//===- KernelSelection.h - CPU targets and kernel choice --------*- C++ -*-===//
//
// Kernel selection as data: a target spec becomes a #mmfree.cpu_target, the
// cost model turns (contraction, target) into a #mmfree.kernel, and the
// kernels read their lanes from that attribute. See docs/kernels.md.
//
//===----------------------------------------------------------------------===//

#ifndef MMFREE_CODEGEN_CPU_KERNELSELECTION_H
#define MMFREE_CODEGEN_CPU_KERNELSELECTION_H

#include "mmfree/Dialect/MMFree/IR/MMFree.h"

#include "mlir/IR/BuiltinOps.h"

#include <optional>
#include <string>

namespace mmfree {

/// The AMX tile kernel's shape: rows per step (two 16-row activation
/// tiles), channels per weight panel (two 16-column tiles), and the longest
/// K whose decoded panel (K x 32 bytes, 512 KiB) it keeps on the stack.
constexpr int64_t kTileRows = 32;
constexpr int64_t kTilePanel = 32;
constexpr int64_t kTileMaxK = 16384;

/// A kernel kind to force (an option value), or the cost model's choice.
enum class KernelChoice { Auto, Select, Dots, Lookup, Tiles, Loads, Shuffle };

/// The target a spec names: a preset (`generic`, `x86-64`, `x86-64-v2`,
/// `x86-64-v3`, `x86-64-v4`, or `host`: this machine's features) followed
/// by comma-separated `+feature` / `-feature` items and cache sizes
/// (`l1d=48K`, `l2=2M`), e.g. `x86-64-v3,+avxvnni,l2=1M`. An empty spec is
/// `generic`. Only `host` reads the machine (features and cache sizes); it
/// is for tools that compile for where they run. On a bad spec, returns null
/// and sets `error`.
CpuTargetAttr parseCpuTarget(mlir::MLIRContext *context, llvm::StringRef spec,
                             int64_t threads, std::string &error);

/// The module's `mmfree.target`, or the generic target with one thread.
CpuTargetAttr getCpuTarget(mlir::ModuleOp module);

/// The kernel the cost model picks for `op` (a ternary_matmul or
/// lut_matmul) on `target`, or null when no vector kernel can lower it (it
/// is then left for mmfree-lower-to-linalg). With `forced`, that kind is
/// taken where it applies (on `target`'s widest ISA for it).
KernelAttr selectKernel(mlir::Operation *op, CpuTargetAttr target,
                        std::optional<KernelKind> forced = std::nullopt);

/// Why `kernel` cannot lower `op` (types, shapes, constant weights), or ""
/// when it can.
std::string kernelMismatch(mlir::Operation *op, KernelAttr kernel);

/// Writes `mmfree.kernel` on every ternary_matmul and lut_matmul of
/// `module` without one (selectKernel on `target`, forcing `ternary` /
/// `lut` where they apply), calling `chosen` with each op's kernel. Ops
/// that already carry a kernel keep it; one that cannot lower its op is an
/// error. With `remarks`, says why a forced kind or any kernel was not
/// taken.
mlir::LogicalResult
annotateKernels(mlir::ModuleOp module, CpuTargetAttr target,
                KernelChoice ternary, KernelChoice lut, bool remarks,
                llvm::function_ref<void(KernelAttr)> chosen);

/// The vector lanes `kernel` works in: i32 lanes of the dots (16 or 8),
/// byte lanes of the lookups and shuffles (64 or 32), output lanes of the
/// loads (64 or 32); 0 for the select kernel (16-lane slices of a block).
int64_t kernelLanes(KernelAttr kernel);

/// The lut_encode whose column-major rows the lut_matmul kernels fuse into
/// `op` (constant trees, codes read only by `op`, static shapes), or null.
LutEncodeOp fusableLutEncode(LutMatmulOp op);

} // namespace mmfree

#endif // MMFREE_CODEGEN_CPU_KERNELSELECTION_H
