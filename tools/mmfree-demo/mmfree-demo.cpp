//===- mmfree-demo.cpp - compile and run a model through each strategy ----===//
//
// Compiles `@forward(tensor<BxDxf32>) -> tensor<BxOxf32>` from an MLIR file
// through the plain f32 pipeline, the ternary rewrite (int8 and float
// activations) and L-Mul (f32 products as integer adds), JIT-compiles each
// for the host CPU, runs all on the same random input, and prints the time
// of each and its agreement with the f32 output.
//
//===----------------------------------------------------------------------===//

#include "Jit.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Parser/Parser.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

using namespace mlir;

static llvm::cl::OptionCategory demoCategory("mmfree-demo options");
static llvm::cl::opt<std::string> inputFile(llvm::cl::Positional,
                                            llvm::cl::desc("<model.mlir>"),
                                            llvm::cl::Required,
                                            llvm::cl::cat(demoCategory));
static llvm::cl::opt<int> repetitions("repetitions",
                                      llvm::cl::desc("timed runs per strategy"),
                                      llvm::cl::init(21),
                                      llvm::cl::cat(demoCategory));

namespace {

using Forward = void (*)(StridedMemRefType<float, 2> *,
                         StridedMemRefType<float, 2> *);

struct Strategy {
  const char *name;
  const char *pipeline;
};

} // namespace

static StridedMemRefType<float, 2> view(std::vector<float> &data, int64_t rows,
                                        int64_t cols) {
  return {data.data(), data.data(), 0, {rows, cols}, {cols, 1}};
}

/// Runs once, copying the result out and freeing the returned buffer.
static std::vector<float> run(Forward f, StridedMemRefType<float, 2> &in) {
  StridedMemRefType<float, 2> out;
  f(&out, &in);
  std::vector<float> result(out.data + out.offset,
                            out.data + out.offset +
                                out.sizes[0] * out.sizes[1]);
  free(out.basePtr);
  return result;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mmfree::initializeTools();
  llvm::cl::HideUnrelatedOptions(demoCategory);
  llvm::cl::ParseCommandLineOptions(argc, argv, "mmfree demo\n");
  std::unique_ptr<MLIRContext> context = mmfree::createToolContext();
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(inputFile.getValue(), context.get());
  if (!module)
    return 1;
  auto fn = module->lookupSymbol<func::FuncOp>("forward");
  if (!fn || fn.getNumArguments() != 1 || fn.getNumResults() != 1) {
    llvm::errs() << "mmfree-demo: expected @forward(tensor<BxDxf32>) -> "
                    "tensor<BxOxf32>\n";
    return 1;
  }
  auto inType = dyn_cast<RankedTensorType>(fn.getArgumentTypes()[0]);
  auto outType = dyn_cast<RankedTensorType>(fn.getResultTypes()[0]);
  if (!inType || !outType || !inType.hasStaticShape() ||
      !outType.hasStaticShape() || inType.getRank() != 2 ||
      outType.getRank() != 2 || !inType.getElementType().isF32()) {
    llvm::errs() << "mmfree-demo: @forward must take and return static 2-D "
                    "f32 tensors\n";
    return 1;
  }
  int64_t batch = inType.getDimSize(0), width = inType.getDimSize(1);
  int64_t outRows = outType.getDimSize(0), outCols = outType.getDimSize(1);

  std::vector<float> input(batch * width);
  std::mt19937 gen(42);
  std::normal_distribution<float> normal(0.f, 1.f);
  for (float &v : input)
    v = normal(gen);
  StridedMemRefType<float, 2> in = view(input, batch, width);

  const Strategy strategies[] = {
      {"f32", "mmfree-cpu-pipeline{target=host}"},
      {"ternary-int8",
       "mmfree-matmul-to-ternary,mmfree-cpu-pipeline{target=host}"},
      {"ternary-float", "mmfree-matmul-to-ternary{activations=float},mmfree-"
                        "cpu-pipeline{target=host}"},
      {"lmul-f32", "mmfree-matmul-to-lmul,mmfree-cpu-pipeline{target=host}"},
  };
  std::printf("model: %s, input %lldx%lld, output %lldx%lld, median of %d "
              "runs\n\n",
              inputFile.getValue().c_str(), (long long)batch, (long long)width,
              (long long)outRows, (long long)outCols, repetitions.getValue());
  std::printf("%-14s %12s %9s %12s %12s %10s %9s\n", "strategy", "time (us)",
              "speedup", "max |diff|", "rel L2 err", "cosine", "argmax");
  std::vector<float> reference;
  double referenceTime = 0;
  for (const Strategy &s : strategies) {
    std::unique_ptr<mmfree::CompiledModule> compiled =
        mmfree::compile(*module, "forward", s.pipeline);
    if (!compiled)
      return 1;
    auto forward =
        reinterpret_cast<Forward>(compiled->lookupCInterface("forward"));
    if (!forward)
      return 1;
    std::vector<float> y = run(forward, in);
    double t = mmfree::medianMicros([&] { run(forward, in); }, repetitions);
    if (reference.empty()) {
      reference = y;
      referenceTime = t;
    }
    double maxDiff = 0, diff2 = 0, ref2 = 0, dot = 0, y2 = 0;
    for (size_t i = 0; i < y.size(); ++i) {
      double d = double(y[i]) - reference[i];
      maxDiff = std::max(maxDiff, std::fabs(d));
      diff2 += d * d;
      ref2 += double(reference[i]) * reference[i];
      dot += double(y[i]) * reference[i];
      y2 += double(y[i]) * y[i];
    }
    int agree = 0;
    for (int64_t r = 0; r < outRows; ++r) {
      auto row = [&](const std::vector<float> &v) {
        return std::max_element(v.begin() + r * outCols,
                                v.begin() + (r + 1) * outCols) -
               v.begin();
      };
      agree += row(y) == row(reference);
    }
    std::printf("%-14s %12.1f %8.2fx %12.3g %12.3g %10.6f %5d/%lld\n", s.name,
                t, referenceTime / t, maxDiff, std::sqrt(diff2 / ref2),
                dot / std::sqrt(ref2 * y2), agree, (long long)outRows);
  }
  std::printf("\nspeedup: f32 time / strategy time; diff, error, cosine and "
              "argmax (rows whose largest output is the same) against f32.\n");
  return 0;
}
