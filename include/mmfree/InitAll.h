//===- InitAll.h - every mmfree dialect, pass and pipeline -------*- C++
//-*-===//
//
// The one registration every driver uses: mmfree-opt, the mlir-opt plugin
// and the tools' JIT helper.
//
//===----------------------------------------------------------------------===//

#ifndef MMFREE_INITALL_H
#define MMFREE_INITALL_H

#include "mmfree/Codegen/Passes.h"
#include "mmfree/Conversion/Passes.h"
#include "mmfree/Dialect/MMFree/IR/MMFree.h"
#include "mmfree/Dialect/MMFree/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"

namespace mmfree {

/// The mmfree dialect.
inline void registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<MMFreeDialect>();
}

/// The rewrites, the lowerings and mmfree-cpu-pipeline / mmfree-gpu-pipeline.
inline void registerAllPasses() {
  registerMMFreeTransformsPasses();
  registerMMFreeConversionPasses();
  registerMMFreeCodegenPasses();
  registerCpuPipeline();
  registerGpuPipeline();
}

} // namespace mmfree

#endif // MMFREE_INITALL_H
