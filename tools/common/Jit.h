//===- Jit.h - compile an MLIR module through a pipeline and JIT it -*- C++
//-*-//
//
// Shared by mmfree-demo and mmfree-bench: parse, run a textual pass
// pipeline, compile for the host CPU (JIT, or ahead of time into a shared
// object), and time functions that take and return memrefs.
//
//===----------------------------------------------------------------------===//

#ifndef MMFREE_TOOLS_COMMON_JIT_H
#define MMFREE_TOOLS_COMMON_JIT_H

#include "mlir/ExecutionEngine/CRunnerUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mmfree {

/// Registers every dialect, extension, pass and translation the tools need
/// and initializes the native target. Call once, before parsing options.
void initializeTools();

/// A context with every dialect the tools may parse.
std::unique_ptr<mlir::MLIRContext> createToolContext();

/// Code compiled from a module, to call from C++.
class CompiledModule {
public:
  virtual ~CompiledModule() = default;
  /// Address of `_mlir_ciface_<function>`, or null after printing an error.
  virtual void *lookupCInterface(llvm::StringRef function) = 0;
};

/// How CompiledModule code is produced: by the JIT (ExecutionEngine), or
/// ahead of time as a user's build does (mlir-translate, clang -O3
/// -march=native -shared) and loaded with dlopen.
enum class Compilation { Jit, AheadOfTime };

/// Clones `module`, marks `function` with a C interface, runs `pipeline` and
/// compiles the result at -O3 for the host. Returns null after printing an
/// error.
std::unique_ptr<CompiledModule> compile(mlir::ModuleOp module,
                                        llvm::StringRef function,
                                        llvm::StringRef pipeline,
                                        Compilation how = Compilation::Jit);

/// Median wall time in microseconds of `reps` calls after one warm-up.
double medianMicros(const std::function<void()> &run, int reps);

/// Median wall times of `reps` rounds that call each of `runs` once in turn
/// (after one warm-up round), so that noise hits all of them alike. With
/// `warm`, each timed call directly follows untimed ones of the same run (its
/// data in cache whatever the other runs touched, its threads awake). After a
/// timed call of a run flagged in `threaded`, waits until thread pools have
/// gone idle, so that they do not compete with the next run.
std::vector<double>
medianMicrosRoundRobin(const std::vector<std::function<void()>> &runs, int reps,
                       bool warm = false,
                       const std::vector<bool> &threaded = {});

} // namespace mmfree

#endif // MMFREE_TOOLS_COMMON_JIT_H
