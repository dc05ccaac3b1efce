//===- mmfree-opt.cpp - the mmfree optimizer driver -----------------------===//
//
// mlir-opt with every upstream dialect, extension and pass, plus mmfree's.
//
//===----------------------------------------------------------------------===//

#include "mmfree/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mmfree::registerAllPasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary and friends translate to LLVM IR inside mmfree-opt.
  mlir::registerAllToLLVMIRTranslations(registry);
  mmfree::registerAllDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "mmfree optimizer driver\n", registry));
}
