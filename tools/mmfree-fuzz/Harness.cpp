//===- Harness.cpp - one structured fuzz case -----------------------------===//
//
// Bytes are read as choices: a case kind, then shapes (zero, one, odd,
// dynamic), element types (also ones the rewrites do not take), weight
// constants (random, splat, NaN, dense_resource blobs of any length),
// calibration .npy bytes and pass options. The case is written as MLIR,
// parsed, and run through rewrites and pipelines in process. A finding is a
// crash, an assertion, a sanitizer report, a pass that fails without an
// error, or IR that does not verify after a pipeline that succeeded.
//
//===----------------------------------------------------------------------===//

#include "Harness.h"

#include "mmfree/InitAll.h"
#include "mmfree/Numerics/Maddness.h"
#include "mmfree/Numerics/Npy.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <fstream>
#include <functional>
#include <mutex>

using namespace mlir;

namespace mmfree::fuzz {
namespace {

/// Reads choices from the bytes; past the end every choice is 0.
class Choices {
public:
  explicit Choices(llvm::ArrayRef<uint8_t> bytes) : bytes(bytes) {}

  unsigned byte() { return pos < bytes.size() ? bytes[pos++] : 0; }
  template <typename T> const T &pick(llvm::ArrayRef<T> options) {
    return options[byte() % options.size()];
  }
  int pick(int n) { return int(byte() % unsigned(n)); }
  llvm::ArrayRef<uint8_t> rest() const {
    return pos < bytes.size() ? bytes.drop_front(pos)
                              : llvm::ArrayRef<uint8_t>();
  }

private:
  llvm::ArrayRef<uint8_t> bytes;
  size_t pos = 0;
};

constexpr int64_t kDynamic = -1;

} // namespace

static std::string dim(int64_t d) {
  return d == kDynamic ? "?" : std::to_string(d);
}

static std::string tensorType(llvm::ArrayRef<int64_t> shape,
                              llvm::StringRef elt) {
  std::string s = "tensor<";
  for (int64_t d : shape)
    s += dim(d) + "x";
  return s + elt.str() + ">";
}

static int64_t numElements(llvm::ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d == kDynamic)
      return -1;
    if (d != 0 && n > (int64_t(1) << 40) / d)
      return int64_t(1) << 40;
    n *= d;
  }
  return n;
}

/// An i32/i8 constant of `shape` with values in [0, bound), one value out
/// of range now and then.
static std::string indices(Choices &c, llvm::ArrayRef<int64_t> shape,
                           llvm::StringRef elt, int64_t bound) {
  std::string type = tensorType(shape, elt);
  int64_t n = numElements(shape);
  if (n <= 0 || n > 4096 || bound <= 0)
    return "dense<0> : " + type;
  bool bad = c.pick(16) == 0;
  std::function<std::string(size_t)> literal = [&](size_t d) -> std::string {
    if (d == shape.size())
      return std::to_string(bad && c.pick(4) == 0 ? bound : c.byte() % bound);
    std::string s = "[";
    for (int64_t i = 0; i < shape[d]; ++i)
      s += (i ? ", " : "") + literal(d + 1);
    return s + "]";
  };
  return "dense<" + literal(0) + "> : " + type;
}

/// A constant of `shape` and `elt`: random small values, a splat, a NaN or
/// a dense_resource blob whose length may not match (`resources` collects
/// the blob).
static std::string constant(Choices &c, llvm::ArrayRef<int64_t> shape,
                            llvm::StringRef elt, std::string &resources) {
  std::string type = tensorType(shape, elt);
  bool isFloat = elt.starts_with("f") || elt == "bf16";
  int64_t n = numElements(shape);
  int style = c.pick(5);
  // Literals only for small non-empty shapes (a 2^31 x 0 literal would
  // still be 2^31 brackets).
  bool small = n > 0 && n <= 4096 &&
               llvm::all_of(shape, [](int64_t d) { return d <= 4096; });
  if (!small || style == 0) {
    int v = c.pick(5) - 2;
    return llvm::formatv("dense<{0}> : {1}",
                         isFloat ? std::to_string(v) + ".0" : std::to_string(v),
                         type);
  }
  if (style == 1 && isFloat) {
    const char *nan = elt == "f32"   ? "0x7FC00000"
                      : elt == "f16" ? "0x7E00"
                                     : "0x7FC0";
    return llvm::formatv("dense<{0}> : {1}", nan, type);
  }
  if (style == 2) {
    // A blob of 0 to 2x the bytes the type needs.
    unsigned width = elt == "i8" ? 1 : (elt == "f16" || elt == "bf16") ? 2 : 4;
    int64_t bytes = n * width * c.pick(3) / 2 + c.pick(3);
    std::string hex = "0x04000000";
    for (int64_t i = 0; i < bytes; ++i)
      hex += c.byte() % 3 == 0 ? "00" : "3F";
    std::string name = "blob" + std::to_string(resources.size());
    resources += (resources.empty() ? "" : ",\n") + std::string("      ") +
                 name + ": \"" + hex + "\"";
    return "dense_resource<" + name + "> : " + type;
  }
  // Mostly ternary values times one scale, sometimes arbitrary ones (the
  // absmean path), nested as the literal's shape.
  const char *scale = c.pick<const char *>({"0.5", "1.0", "0.03125"});
  std::function<std::string(size_t)> literal = [&](size_t d) -> std::string {
    if (d == shape.size()) {
      int v = c.pick(3) - 1;
      if (!isFloat)
        return std::to_string(c.pick(8) == 0 ? c.pick(256) - 128 : v);
      if (c.pick(16) == 0)
        return std::to_string(float(c.pick(256) - 128) / 7.f);
      return v == 0 ? "0.0" : (v < 0 ? "-" : "") + std::string(scale);
    }
    std::string s = "[";
    for (int64_t i = 0; i < shape[d]; ++i)
      s += (i ? ", " : "") + literal(d + 1);
    return s + "]";
  };
  return "dense<" + literal(0) + "> : " + type;
}

static std::string withResources(std::string module,
                                 const std::string &resources) {
  if (resources.empty())
    return module;
  return module + "\n{-#\n  dialect_resources: {\n    builtin: {\n" +
         resources + "\n    }\n  }\n#-}\n";
}

namespace {

const int64_t kRows[] = {0, 1, 2, 3, 5, 8, kDynamic};
const int64_t kReduce[] = {0, 1, 3, 16, 64, 65, 130};
const int64_t kCols[] = {0, 1, 4, 8, 32, kDynamic};

} // namespace

/// A linalg contraction as the front ends write it, for the rewrites; its
/// reduction size in `reduction` (what a calibration file must match).
static std::string contraction(Choices &c, int64_t &reduction) {
  llvm::StringRef types[] = {"f32", "f32", "f32", "f16", "bf16", "i8", "i32"};
  int64_t m = c.pick<int64_t>(kRows), k = c.pick<int64_t>(kReduce),
          n = c.pick<int64_t>(kCols);
  if (c.pick(8) == 0)
    k = int64_t(1) << 31; // far beyond what is folded at compile time
  reduction = k;
  llvm::StringRef ta = c.pick<llvm::StringRef>(types),
                  tb = c.pick(3) ? ta : c.pick<llvm::StringRef>(types),
                  tc = c.pick(3) ? ta : c.pick<llvm::StringRef>(types);
  std::string resources;
  bool constWeights = c.pick(4) != 0;
  if (constWeights && n == kDynamic)
    n = 4; // constants have static shapes
  int form = c.pick(4);
  std::string aT = tensorType({m, k}, ta), cT = tensorType({m, n}, tc);
  std::string body, args = "%a: " + aT;
  auto weightsOf = [&](llvm::ArrayRef<int64_t> shape) {
    if (!constWeights) {
      args += ", %w: " + tensorType(shape, tb);
      return std::string();
    }
    return "  %w = arith.constant " + constant(c, shape, tb, resources) + "\n";
  };
  auto init = [&](llvm::StringRef type) { args += ", %c: " + type.str(); };
  std::string result;
  switch (form) {
  case 0: // x @ W
    body = weightsOf({k, n});
    init(cT);
    body += llvm::formatv("  %r = linalg.matmul ins(%a, %w : {0}, {1}) "
                          "outs(%c : {2}) -> {2}\n",
                          aT, tensorType({k, n}, tb), cT);
    result = cT;
    break;
  case 1: { // nn.Linear: x @ W^T through linalg.transpose
    body = weightsOf({n, k});
    init(cT);
    std::string wT = tensorType({n, k}, tb), tT = tensorType({k, n}, tb);
    if (n == kDynamic || k == kDynamic)
      return "";
    body += llvm::formatv(
        "  %e = tensor.empty() : {1}\n"
        "  %t = linalg.transpose ins(%w : {0}) outs(%e : {1}) "
        "permutation = [1, 0]\n"
        "  %r = linalg.matmul ins(%a, %t : {2}, {1}) outs(%c : {3}) -> {3}\n",
        wT, tT, aT, cT);
    result = cT;
    break;
  }
  case 2: { // batched
    int64_t b = c.pick(3);
    std::string bA = tensorType({b, m, k}, ta), bB = tensorType({b, k, n}, tb),
                bC = tensorType({b, m, n}, tc);
    args = "%a: " + bA;
    body = weightsOf({b, k, n});
    init(bC);
    body += llvm::formatv("  %r = linalg.batch_matmul ins(%a, %w : {0}, {1}) "
                          "outs(%c : {2}) -> {2}\n",
                          bA, bB, bC);
    result = bC;
    break;
  }
  default: { // matvec
    std::string v = tensorType({k}, ta), o = tensorType({n}, tc);
    args = "%a: " + v;
    body = weightsOf({n, k});
    init(o);
    body += llvm::formatv("  %r = linalg.matvec ins(%w, %a : {0}, {1}) "
                          "outs(%c : {2}) -> {2}\n",
                          tensorType({n, k}, tb), v, o);
    result = o;
  }
  }
  std::string module = "func.func @f(" + args + ") -> " + result + " {\n" +
                       body + "  return %r : " + result + "\n}\n";
  return withResources(module, resources);
}

/// An mmfree op written by hand, shapes and types only loosely right.
static std::string mmfreeOp(Choices &c) {
  int64_t m = c.pick<int64_t>(kRows), k = c.pick<int64_t>(kReduce),
          n = c.pick<int64_t>(kCols);
  std::string resources, body, args, result;
  switch (c.pick(7)) {
  case 0: { // ternary_matmul
    int64_t kk = std::max<int64_t>(k, 1);
    int64_t blocks = (kk + 63) / 64 + (c.pick(16) == 0 ? 1 : 0);
    if (n == kDynamic)
      n = 4;
    llvm::StringRef in = c.pick(2) ? "i8" : "f32";
    llvm::StringRef out =
        in == "f32" ? "f32" : c.pick<llvm::StringRef>({"i32", "i16", "i32"});
    std::string wT = tensorType({n, blocks, 16}, "i8");
    int64_t resultN = c.pick(16) == 0 ? kDynamic : n;
    args = "%x: " + tensorType({m, kk}, in);
    if (c.pick(2))
      body = "  %w = arith.constant " +
             constant(c, {n, blocks, 16}, "i8", resources) + "\n";
    else
      args += ", %w: " + wT;
    result = tensorType({m, resultN}, out);
    body += llvm::formatv("  %r = mmfree.ternary_matmul %x, %w {k = {0}} : "
                          "{1}, {2} -> {3}\n",
                          kk, tensorType({m, kk}, in), wT, result);
    break;
  }
  case 1: { // quantize_rows + dequantize
    args = "%x: " + tensorType({m, k}, "f32");
    result = tensorType({m, k}, "f32");
    body = llvm::formatv(
        "  %q, %s = mmfree.quantize_rows %x : {0} -> {1}, {2}\n"
        "  %acc = arith.extsi %q : {1} to {3}\n"
        "  %ws = arith.constant dense<0.5> : tensor<1xf32>\n"
        "  %r = mmfree.dequantize %acc, %ws, %s : ({3}, tensor<1xf32>, {2}) "
        "-> {4}\n",
        tensorType({m, k}, "f32"), tensorType({m, k}, "i8"),
        tensorType({m}, "f32"), tensorType({m, k}, "i32"), result);
    break;
  }
  case 2: { // lmul_matmul
    llvm::StringRef t =
        c.pick<llvm::StringRef>({"f32", "bf16", "f16", "f8E4M3FN", "f8E5M2"});
    int bits = 1 + c.pick(7);
    bool transposed = c.pick(2);
    std::string bT = transposed ? tensorType({n, k}, t) : tensorType({k, n}, t);
    result = tensorType({m, n}, "f32");
    args = "%a: " + tensorType({m, k}, t) + ", %b: " + bT + ", %i: " + result;
    body = llvm::formatv("  %r = mmfree.lmul_matmul %a, %b, %i "
                         "{{mantissa_bits = {0} : i64{1}} : {2}, {3}, {4} -> "
                         "{4}\n",
                         bits, transposed ? ", transpose_rhs" : "",
                         tensorType({m, k}, t), bT, result);
    break;
  }
  case 3: { // lut_encode + lut_matmul
    int64_t books = c.pick(5), outs = c.pick<int64_t>({0, 1, 5, 16, 32});
    int64_t d = std::max<int64_t>(k, 1);
    bool exact = c.pick(2);
    std::string codesT = tensorType({m, books}, "i8");
    result = tensorType({m, outs}, exact ? "i16" : "i8");
    args = "%x: " + tensorType({m, d}, "f32");
    body = "  %d = arith.constant " + indices(c, {books, 4}, "i32", d) + "\n" +
           "  %t = arith.constant " +
           constant(c, {books, 15}, "f32", resources) + "\n" +
           "  %tab = arith.constant " +
           constant(c, {books, 16, outs}, "i8", resources) + "\n";
    body += llvm::formatv(
        "  %codes = mmfree.lut_encode %x, %d, %t : {0}, {1}, {2} -> {3}\n"
        "  %r = mmfree.lut_matmul %codes, %tab {{accumulation = "
        "#mmfree<lut_accumulation {4}>} : {3}, {5} -> {6}\n",
        tensorType({m, d}, "f32"), tensorType({books, 4}, "i32"),
        tensorType({books, 15}, "f32"), codesT, exact ? "exact" : "average",
        tensorType({books, 16, outs}, "i8"), result);
    break;
  }
  case 4: { // lmul elementwise in a generic (what mul-to-lmul writes)
    llvm::StringRef t = c.pick<llvm::StringRef>({"f32", "bf16", "f16"});
    std::string type = tensorType({m, n}, t);
    result = type;
    args = "%a: " + type + ", %b: " + type;
    body = llvm::formatv("  %r = mmfree.lmul %a, %b {{mantissa_bits = {0} : "
                         "i64} : {1}\n",
                         1 + c.pick(10), type);
    break;
  }
  case 5: { // lut_matmul on constant codes
    int64_t books = 1 + c.pick(4), outs = c.pick<int64_t>({0, 1, 8});
    result = tensorType({m, outs}, "i16");
    args = "%tab: " + tensorType({books, 16, outs}, "i8");
    if (m == kDynamic)
      m = 3;
    result = tensorType({m, outs}, "i16");
    body =
        "  %codes = arith.constant " + indices(c, {m, books}, "i8", 16) + "\n";
    body +=
        llvm::formatv("  %r = mmfree.lut_matmul %codes, %tab {{accumulation = "
                      "#mmfree<lut_accumulation exact>} : {0}, {1} -> {2}\n",
                      tensorType({m, books}, "i8"),
                      tensorType({books, 16, outs}, "i8"), result);
    break;
  }
  default: { // elementwise products for mul-to-lmul
    llvm::StringRef t =
        c.pick<llvm::StringRef>({"f32", "bf16", "f16", "f64", "i32"});
    std::string type = tensorType({m, n}, t);
    result = type;
    args = "%a: " + type + ", %b: " + type;
    bool isInt = t == "i32";
    body = llvm::formatv("  %r = {0} %a, %b : {1}\n",
                         isInt ? "arith.muli" : "arith.mulf", type);
  }
  }
  std::string module = "func.func @f(" + args + ") -> " + result + " {\n" +
                       body + "  return %r : " + result + "\n}\n";
  return withResources(module, resources);
}

/// Writes the calibration file of a MADDNESS case: a .npy built from
/// choices (sometimes broken) with `cols` columns.
static std::string calibrationFile(Choices &c, int64_t cols) {
  llvm::SmallString<64> path;
  if (llvm::sys::fs::createTemporaryFile("mmfree-fuzz", "npy", path))
    return "/nonexistent.npy";
  int64_t rows = c.pick<int64_t>({0, 1, 4, 16, 64});
  std::string header = llvm::formatv("{{'descr': '<f4', 'fortran_order': "
                                     "False, 'shape': ({0}, {1}), }",
                                     rows, cols);
  while ((10 + header.size() + 1) % 64)
    header += ' ';
  header += '\n';
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8);
  bytes += char(header.size() & 0xff);
  bytes += char(header.size() >> 8);
  bytes += header;
  int64_t values = rows * std::max<int64_t>(cols, 0);
  if (c.pick(6) == 0)
    values /= 2; // truncated
  int64_t nanAt = c.pick(8) == 0 ? c.pick(16) : -1;
  for (int64_t i = 0; i < values && i < (1 << 16); ++i) {
    float v = i == nanAt ? NAN : float(int(c.byte()) - 128) / 16.f;
    bytes.append(reinterpret_cast<const char *>(&v), 4);
  }
  std::ofstream(path.str().str(), std::ios::binary) << bytes;
  return path.str().str();
}

static std::string targetOption(Choices &c) {
  return c.pick<std::string>({"generic", "x86-64-v2", "x86-64-v3", "x86-64-v4",
                              "x86-64-v4,-avx512vnni", "x86-64-v3,+avxvnni",
                              "x86-64-v4,+bogus", "x86-64 foo=1"});
}

/// A textual pipeline of rewrites and lowerings for a case.
static std::string pipelineFor(Choices &c, int64_t reduction,
                               std::string &tempFile) {
  std::string rewrite;
  switch (c.pick(6)) {
  case 0:
    rewrite = llvm::formatv("mmfree-matmul-to-ternary{{scale={0}}",
                            c.pick(2) ? "per-tensor" : "per-channel");
    break;
  case 1:
    rewrite =
        llvm::formatv("mmfree-matmul-to-lmul{{mantissa-bits={0}}", c.pick(25));
    break;
  case 2:
    tempFile =
        calibrationFile(c, c.pick(4) ? std::max<int64_t>(reduction, 1) : 3);
    rewrite =
        llvm::formatv("mmfree-matmul-to-lut{{calibration={0} codebooks={1} "
                      "accumulation={2}}",
                      tempFile, c.pick<int>({0, 1, 2, 3, 16, 300}),
                      c.pick(2) ? "exact" : "average");
    break;
  case 3:
    rewrite =
        llvm::formatv("mmfree-mul-to-lmul{{mantissa-bits={0}}", c.pick(12));
    break;
  default:
    break;
  }
  std::string lower;
  switch (c.pick(5)) {
  case 0:
    lower = "mmfree-lower-to-linalg";
    break;
  case 1:
    lower = "mmfree-gpu-pipeline{chip=sm_80}";
    break;
  case 2:
    lower = "canonicalize,cse";
    break;
  default:
    lower = llvm::formatv("mmfree-cpu-pipeline{{target='{0}' threads={1}}",
                          targetOption(c), c.pick<int>({0, 1, 2, 3, 1024}));
  }
  return (rewrite.empty() ? "" : rewrite + ",") + lower;
}

/// Random option text for a pipeline, as a user might mistype it.
static std::string optionCase(Choices &c) {
  std::string name = c.pick<std::string>(
      {"mmfree-cpu-pipeline", "mmfree-gpu-pipeline", "mmfree-select-kernels",
       "mmfree-matmul-to-ternary", "mmfree-matmul-to-lmul",
       "mmfree-mul-to-lmul", "mmfree-lower-to-vector"});
  constexpr llvm::StringLiteral alphabet =
      " =,'{}-+0123456789abcdefghijklmnopqrstuvwxyz_";
  std::string text;
  for (uint8_t b : c.rest().take_front(48))
    text += alphabet[b % alphabet.size()];
  return name + "{" + text + "}";
}

namespace {

const char *kFixedModule = R"mlir(
func.func @f(%x: tensor<?x64xf32>, %c: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %w = arith.constant dense<1.0> : tensor<64x8xf32>
  %r = linalg.matmul ins(%x, %w : tensor<?x64xf32>, tensor<64x8xf32>) outs(%c : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %r : tensor<?x8xf32>
}
)mlir";

} // namespace

static DialectRegistry &registry() {
  static DialectRegistry *r = [] {
    mlir::registerAllPasses();
    mmfree::registerAllPasses();
    auto *reg = new DialectRegistry();
    mlir::registerAllDialects(*reg);
    mlir::registerAllExtensions(*reg);
    mlir::registerAllToLLVMIRTranslations(*reg);
    mmfree::registerAllDialects(*reg);
    return reg;
  }();
  return *r;
}

[[noreturn]] static void finding(const char *what, const std::string &ir,
                                 const std::string &pipeline) {
  llvm::errs() << "mmfree-fuzz: FINDING: " << what << "\npipeline: " << pipeline
               << "\ninput:\n"
               << ir << "\n";
  std::abort();
}

namespace {

bool printCases = false;

} // namespace

/// Parses `ir`, runs `pipeline` and checks the outcome.
static Outcome compile(const std::string &ir, const std::string &pipeline) {
  if (printCases)
    (llvm::outs() << "// pipeline: " << pipeline << "\n" << ir << "\n").flush();
  MLIRContext ctx(registry(), MLIRContext::Threading::DISABLED);
  unsigned errors = 0;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
    if (d.getSeverity() == DiagnosticSeverity::Error)
      ++errors;
    if (printCases)
      (llvm::outs() << "// diagnostic: " << d.str() << "\n").flush();
    return success();
  });
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(ir, &ctx);
  if (!module || failed(verify(*module)))
    return Outcome::Rejected;
  // The pipeline text is the top-level module's passes (no anchor).
  PassManager pm(&ctx);
  std::string parseError;
  llvm::raw_string_ostream os(parseError);
  if (failed(parsePassPipeline(pipeline, pm, os)))
    return Outcome::BadOptions;
  // Verified once at the end: a pass that emits invalid IR is a finding, a
  // pass that fails must say why.
  pm.enableVerifier(false);
  errors = 0;
  if (failed(pm.run(*module))) {
    if (errors == 0)
      finding("a pass failed without an error", ir, pipeline);
    return Outcome::Diagnosed;
  }
  if (failed(verify(*module)))
    finding("the output does not verify", ir, pipeline);
  if (printCases)
    (llvm::outs() << "// output:\n" << *module << "\n").flush();
  return Outcome::Compiled;
}

/// `ir` through a pipeline drawn for it; the calibration file a MADDNESS
/// rewrite got is removed afterwards.
static Outcome compileThroughPipeline(Choices &c, const std::string &ir,
                                      int64_t reduction) {
  std::string temp;
  std::string pipeline = pipelineFor(c, reduction, temp);
  Outcome o = compile(ir, pipeline);
  if (!temp.empty())
    llvm::sys::fs::remove(temp);
  return o;
}

void setPrintCases(bool print) { printCases = print; }

Outcome runCase(llvm::ArrayRef<uint8_t> bytes) {
  Choices c(bytes);
  switch (c.pick(4)) {
  case 0: {
    int64_t reduction = 1;
    std::string ir = contraction(c, reduction);
    if (ir.empty())
      return Outcome::Rejected;
    return compileThroughPipeline(c, ir, reduction);
  }
  case 1:
    return compileThroughPipeline(c, mmfreeOp(c), 64);
  case 2: {
    // .npy bytes straight into the reader, and what it accepts into the
    // tree learning.
    llvm::ArrayRef<uint8_t> rest = c.rest();
    numerics::NpyMatrix m;
    std::string error;
    if (!numerics::parseNpyMatrix(
            std::string_view(reinterpret_cast<const char *>(rest.data()),
                             rest.size()),
            "fuzz.npy", m, error)) {
      if (error.empty())
        finding("the .npy reader failed without an error", "", "");
      return Outcome::Diagnosed;
    }
    if (m.rows * m.cols > 4096)
      return Outcome::Compiled;
    std::vector<float> b(m.cols * 2, 0.5f);
    int64_t books = std::min<int64_t>(m.cols, 4);
    numerics::learnMaddness(m.data.data(), m.rows, m.cols, b.data(), 2, books);
    return Outcome::Compiled;
  }
  default:
    return compile(kFixedModule, optionCase(c));
  }
}

llvm::StringRef outcomeName(Outcome o) {
  switch (o) {
  case Outcome::Rejected:
    return "rejected by the parser or verifier";
  case Outcome::BadOptions:
    return "pipeline options rejected";
  case Outcome::Diagnosed:
    return "failed with an error";
  case Outcome::Compiled:
    return "compiled";
  }
  return "";
}

} // namespace mmfree::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mmfree::fuzz::runCase(llvm::ArrayRef<uint8_t>(data, size));
  return 0;
}
