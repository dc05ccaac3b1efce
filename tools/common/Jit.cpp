//===- Jit.cpp - compile an MLIR module through a pipeline and JIT it -----===//

#include "Jit.h"

#include "mmfree/InitAll.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"

#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"

#include <algorithm>
#include <chrono>
#include <dlfcn.h>
#include <thread>
#include <vector>

using namespace mlir;

namespace mmfree {

void initializeTools() {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  // Inline assembly in kernels (the AMX state request) is parsed.
  llvm::InitializeNativeTargetAsmParser();
  mlir::registerAllPasses();
  mmfree::registerAllPasses();
}

std::unique_ptr<MLIRContext> createToolContext() {
  DialectRegistry registry;
  mlir::registerAllDialects(registry);
  registerAllExtensions(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
  mmfree::registerAllDialects(registry);
  return std::make_unique<MLIRContext>(registry);
}

/// A clone of `source` through `pipeline`, `function` with a C interface;
/// null after printing an error.
static OwningOpRef<ModuleOp> lower(ModuleOp source, llvm::StringRef function,
                                   llvm::StringRef pipeline) {
  OwningOpRef<ModuleOp> module = source.clone();
  auto fn = module->lookupSymbol<func::FuncOp>(function);
  if (!fn) {
    llvm::errs() << "no function @" << function << "\n";
    return nullptr;
  }
  fn->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
              UnitAttr::get(module->getContext()));
  PassManager pm(module->getContext());
  if (failed(parsePassPipeline(pipeline, pm)) || failed(pm.run(*module))) {
    llvm::errs() << "pipeline '" << pipeline << "' failed\n";
    return nullptr;
  }
  return module;
}

namespace {

class JitModule : public CompiledModule {
public:
  explicit JitModule(std::unique_ptr<ExecutionEngine> engine)
      : engine(std::move(engine)) {}
  void *lookupCInterface(llvm::StringRef function) override {
    auto sym = engine->lookup(("_mlir_ciface_" + function).str());
    if (!sym) {
      llvm::errs() << sym.takeError() << "\n";
      return nullptr;
    }
    return *sym;
  }

private:
  std::unique_ptr<ExecutionEngine> engine;
};

} // namespace

static std::unique_ptr<CompiledModule> jit(ModuleOp module) {
  auto tmBuilder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!tmBuilder) {
    llvm::errs() << tmBuilder.takeError() << "\n";
    return nullptr;
  }
  tmBuilder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  auto tm = tmBuilder->createTargetMachine();
  if (!tm) {
    llvm::errs() << tm.takeError() << "\n";
    return nullptr;
  }
  std::function<llvm::Error(llvm::Module *)> transformer =
      makeOptimizingTransformer(3, 0, tm->get());
  ExecutionEngineOptions options;
  options.transformer = transformer;
  // memrefCopy and friends, which bufferized code may call.
  std::string runnerUtils =
      (llvm::Twine(MMFREE_MLIR_LIB_DIR) + "/libmlir_c_runner_utils.so").str();
  // The OpenMP runtime for kernels with threads.
  std::string openmp = (llvm::Twine(MMFREE_MLIR_LIB_DIR) + "/libomp.so").str();
  llvm::StringRef libs[] = {runnerUtils, openmp};
  options.sharedLibPaths = libs;
  options.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  auto engine = ExecutionEngine::create(module, options, std::move(*tm));
  if (!engine) {
    llvm::errs() << "JIT failed: " << engine.takeError() << "\n";
    return nullptr;
  }
  return std::make_unique<JitModule>(std::move(*engine));
}

namespace {

/// A shared object loaded with dlopen (its file already removed).
class SharedObject : public CompiledModule {
public:
  explicit SharedObject(void *handle) : handle(handle) {}
  ~SharedObject() override { dlclose(handle); }
  void *lookupCInterface(llvm::StringRef function) override {
    void *sym = dlsym(handle, ("_mlir_ciface_" + function).str().c_str());
    if (!sym)
      llvm::errs() << "no _mlir_ciface_" << function << " in the object\n";
    return sym;
  }

private:
  void *handle;
};

} // namespace

/// The module as LLVM IR, compiled and linked by clang into a shared
/// object in a temporary folder, and loaded.
static std::unique_ptr<CompiledModule> aheadOfTime(ModuleOp module) {
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> ir =
      translateModuleToLLVMIR(module, llvmContext);
  if (!ir) {
    llvm::errs() << "translation to LLVM IR failed\n";
    return nullptr;
  }
  llvm::SmallString<128> dir;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("mmfree-aot", dir)) {
    llvm::errs() << ec.message() << "\n";
    return nullptr;
  }
  std::string source = (dir + "/module.ll").str();
  std::string object = (dir + "/module.so").str();
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(source, ec);
    if (ec) {
      llvm::errs() << ec.message() << "\n";
      return nullptr;
    }
    ir->print(os, nullptr);
  }
  std::string clang = MMFREE_LLVM_BIN_DIR "/clang";
  std::string libDir = MMFREE_MLIR_LIB_DIR;
  std::string libFlag = "-L" + libDir, rpath = "-Wl,-rpath," + libDir;
  llvm::StringRef args[] = {clang,
                            "-O3",
                            "-march=native",
                            "-shared",
                            "-fPIC",
                            "-Wno-override-module",
                            "-o",
                            object,
                            source,
                            libFlag,
                            "-lmlir_c_runner_utils",
                            "-fopenmp",
                            rpath};
  std::string error;
  int rc = llvm::sys::ExecuteAndWait(clang, args, /*Env=*/std::nullopt,
                                     /*Redirects=*/{}, 0, 0, &error);
  void *handle =
      rc == 0 ? dlopen(object.c_str(), RTLD_NOW | RTLD_LOCAL) : nullptr;
  if (rc != 0)
    llvm::errs() << clang << " failed (" << rc << ") " << error << "\n";
  else if (!handle)
    llvm::errs() << "dlopen: " << dlerror() << "\n";
  llvm::sys::fs::remove(source);
  llvm::sys::fs::remove(object);
  llvm::sys::fs::remove(dir);
  return handle ? std::make_unique<SharedObject>(handle) : nullptr;
}

std::unique_ptr<CompiledModule> compile(ModuleOp source,
                                        llvm::StringRef function,
                                        llvm::StringRef pipeline,
                                        Compilation how) {
  OwningOpRef<ModuleOp> module = lower(source, function, pipeline);
  if (!module)
    return nullptr;
  return how == Compilation::Jit ? jit(*module) : aheadOfTime(*module);
}

/// Untimed calls before each timed one in warm mode.
constexpr int kWarmCalls = 3;

/// Pause after a threaded run: longer than libomp's 200 ms KMP_BLOCKTIME and
/// OpenBLAS's 2^28-cycle spin, so that the next run does not share the two
/// cores with the last one's spinning workers.
constexpr std::chrono::milliseconds kSettle(250);

std::vector<double>
medianMicrosRoundRobin(const std::vector<std::function<void()>> &runs, int reps,
                       bool warm, const std::vector<bool> &threaded) {
  std::vector<std::vector<double>> times(runs.size());
  for (const auto &run : runs)
    run(); // warm-up
  for (int i = 0; i < reps; ++i)
    for (size_t r = 0; r < runs.size(); ++r) {
      // The timed call finds this one's data in cache: one call is not
      // enough, lines that one pass brings in are not all kept by the
      // (non-inclusive) last-level cache.
      for (int w = 0; warm && w < kWarmCalls; ++w)
        runs[r]();
      auto start = std::chrono::steady_clock::now();
      runs[r]();
      times[r].push_back(std::chrono::duration<double, std::micro>(
                             std::chrono::steady_clock::now() - start)
                             .count());
      if (r < threaded.size() && threaded[r])
        std::this_thread::sleep_for(kSettle);
    }
  std::vector<double> medians;
  for (std::vector<double> &t : times) {
    std::sort(t.begin(), t.end());
    medians.push_back(t[t.size() / 2]);
  }
  return medians;
}

double medianMicros(const std::function<void()> &run, int reps) {
  return medianMicrosRoundRobin({run}, reps).front();
}

} // namespace mmfree
