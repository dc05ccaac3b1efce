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
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Debug.h"

// Debian's LLVM is built without -debug / -debug-only; this enables the
// LDBG() logs of our patterns (built with assertions) by debug type.
static llvm::cl::list<std::string>
    debugOnly("mmfree-debug-only",
              llvm::cl::desc("Print the debug logs of these mmfree debug types "
                             "(mmfree-lower-to-vector, mmfree-lut-to-vector, "
                             "mmfree-ternary-lookup, mmfree-lmul-to-vector, "
                             "mmfree-gpu-tile, mmfree-canonicalize)"),
              llvm::cl::CommaSeparated,
              llvm::cl::callback([](const std::string &type) {
                static std::vector<std::string> types;
                types.push_back(type);
                std::vector<const char *> names;
                names.reserve(types.size());
                for (const std::string &t : types)
                  names.push_back(t.c_str());
                llvm::DebugFlag = true;
                llvm::setCurrentDebugTypes(names.data(), names.size());
              }));

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
