//===- GpuCheckTarget.cpp - mmfree-gpu-check-target -----------------------===//
//
// Checks mmfree-gpu-pipeline's options before any rewriting: LLVM accepts
// an unknown chip name with a warning and ptxas is only looked for at the
// very end, so both are caught here with a message instead.
//
//===----------------------------------------------------------------------===//

#include "mmfree/Codegen/Passes.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <cstdlib>

namespace mmfree {
#define GEN_PASS_DEF_GPUCHECKTARGET
#include "mmfree/Codegen/Passes.h.inc"
} // namespace mmfree

using namespace mlir;

namespace mmfree {

/// The chips the pipeline targets (those CUDA 13's ptxas assembles) and the
/// PTX ISA version each needs; empty for an unknown chip.
llvm::StringRef gpuPtxFeatures(llvm::StringRef chip) {
  static constexpr llvm::StringLiteral ptx80[] = {
      "sm_75", "sm_80", "sm_86", "sm_87", "sm_89", "sm_90", "sm_90a"};
  static constexpr llvm::StringLiteral ptx88[] = {
      "sm_100",  "sm_100a", "sm_101",  "sm_101a", "sm_103",
      "sm_103a", "sm_120",  "sm_120a", "sm_121",  "sm_121a"};
  if (llvm::is_contained(ptx80, chip))
    return "+ptx80";
  if (llvm::is_contained(ptx88, chip))
    return "+ptx88";
  return "";
}

std::string findPtxas(llvm::StringRef toolkit) {
  auto in = [](llvm::StringRef dir) -> std::string {
    SmallString<128> path(dir);
    llvm::sys::path::append(path, "bin", "ptxas");
    return llvm::sys::fs::can_execute(path) ? std::string(path) : "";
  };
  // An explicit toolkit is the only place looked at, as for
  // gpu-module-to-binary.
  if (!toolkit.empty())
    return in(toolkit);
  if (const char *home = std::getenv("CUDA_HOME"))
    if (std::string found = in(home); !found.empty())
      return found;
  if (std::string found = in("/usr/local/cuda"); !found.empty())
    return found;
  if (auto found = llvm::sys::findProgramByName("ptxas"))
    return *found;
  return "";
}

} // namespace mmfree

namespace {

struct GpuCheckTargetPass
    : mmfree::impl::GpuCheckTargetBase<GpuCheckTargetPass> {
  using GpuCheckTargetBase::GpuCheckTargetBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (mmfree::gpuPtxFeatures(chip).empty()) {
      emitError(module.getLoc())
          << "unknown GPU chip '" << chip
          << "'; expected one of sm_75, sm_80, sm_86, sm_87, "
             "sm_89, sm_90, sm_90a, sm_100, sm_100a, sm_101, "
             "sm_103, sm_120, sm_121 (and their 'a' variants)";
      return signalPassFailure();
    }
    if (format != "isa" && format != "bin") {
      emitError(module.getLoc())
          << "unknown GPU output format '" << format
          << "'; expected 'isa' (PTX text) or 'bin' (cubin)";
      return signalPassFailure();
    }
    if (format == "bin" && mmfree::findPtxas(toolkit).empty()) {
      emitError(module.getLoc())
          << "format=bin needs ptxas, which was not found in "
          << (toolkit.empty() ? std::string("$CUDA_HOME/bin, "
                                            "/usr/local/cuda/bin or PATH")
                              : toolkit + "/bin")
          << "; install the CUDA toolkit, pass toolkit=<dir>, or use "
             "format=isa for PTX";
      return signalPassFailure();
    }
  }
};

} // namespace
