//===- SelectKernels.cpp - mmfree-select-kernels --------------------------===//
//
// Writes the module's target and each contraction's kernel as attributes,
// so that the lowering (and anyone reading the IR) sees one decision, made
// from data rather than from the machine the compiler runs on.
//
//===----------------------------------------------------------------------===//

#include "mmfree/Codegen/CPU/KernelSelection.h"
#include "mmfree/Codegen/Passes.h"

namespace mmfree {
#define GEN_PASS_DEF_SELECTKERNELS
#include "mmfree/Codegen/Passes.h.inc"
} // namespace mmfree

using namespace mlir;
using namespace mmfree;

namespace {

struct SelectKernelsPass
    : public mmfree::impl::SelectKernelsBase<SelectKernelsPass> {
  using SelectKernelsBase::SelectKernelsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (threads < 0 || threads > kMaxThreads) {
      // On the location, not the op: the note would print the module.
      emitError(module.getLoc())
          << "mmfree-select-kernels: threads must be in [0, " << kMaxThreads
          << "], got " << static_cast<int64_t>(threads);
      return signalPassFailure();
    }
    CpuTargetAttr cpu = getCpuTarget(module);
    if (!target.empty()) {
      std::string error;
      cpu = parseCpuTarget(&getContext(), target, threads ? threads : 1, error);
      if (!cpu) {
        emitError(module.getLoc()) << "mmfree-select-kernels: " << error;
        return signalPassFailure();
      }
    } else if (threads) {
      cpu = CpuTargetAttr::get(&getContext(), cpu.getArch(), cpu.getFeatures(),
                               threads, cpu.getL1d(), cpu.getL2());
    }
    module->setAttr(kTargetAttrName, cpu);
    auto count = [&](KernelAttr kernel) {
      switch (kernel.getKind()) {
      case KernelKind::Select:
        ++numSelect;
        break;
      case KernelKind::Dots:
        ++numDots;
        break;
      case KernelKind::Lookup:
        ++numLookup;
        break;
      case KernelKind::Tiles:
        ++numTiles;
        break;
      case KernelKind::Loads:
        ++numLoads;
        break;
      case KernelKind::Shuffle:
        ++numShuffle;
        break;
      }
    };
    if (failed(annotateKernels(module, cpu, ternaryKernel, lutKernel,
                               /*remarks=*/true, count)))
      signalPassFailure();
  }
};

} // namespace
