//===- MMFreePlugin.cpp - mmfree as a plugin of a stock mlir-opt ----------===//
//
//   mlir-opt --load-dialect-plugin=libMMFreePlugin.so \
//            --load-pass-plugin=libMMFreePlugin.so ...
//
// registers the mmfree dialect, its passes and pipelines (InitAll.h) in an
// mlir-opt that links the same shared libMLIR.so (as Debian's does).
//
//===----------------------------------------------------------------------===//

#include "mmfree/InitAll.h"

#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"

#include "llvm/Config/llvm-config.h"

extern "C" LLVM_ATTRIBUTE_WEAK mlir::DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "MMFree", LLVM_VERSION_STRING,
          [](mlir::DialectRegistry *registry) {
            mmfree::registerAllDialects(*registry);
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK mlir::PassPluginLibraryInfo
mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "MMFreePasses", LLVM_VERSION_STRING,
          [] { mmfree::registerAllPasses(); }};
}
