//===- KernelSelection.cpp - CPU targets and the kernel cost model --------===//
//
// The cost model, from mmfree-bench on AVX-512 machines (each kernel forced,
// one thread): ternary GEMV 11008x4096 AVX-512 VNNI dots 0.49 ms, AVX-VNNI
// dots 0.66 ms, lookups 1.2-1.3 ms, add/sub selects 2.6 ms; GEMM
// 256x4096x4096 29, 55, 116-123 and 249 ms. On an AVX2-only Zen (no VNNI),
// the dots as byte-pair multiply-adds: GEMV 4096x4096 0.37 ms against
// lookups' 0.64 (runtime weights streamed: 0.45 ms, selects 2.4), GEMM
// 256x2560x2560 27 against 71 ms. So dots where the target has VNNI or
// AVX2, else selects; lookups when forced. MADDNESS:
// byte shuffles (rows in lanes) for at most 32 outputs, table loads (outputs
// in lanes) beyond, 64 output lanes with AVX-512BW.
//
//===----------------------------------------------------------------------===//

#include "mmfree/Codegen/CPU/KernelSelection.h"

#include "mlir/IR/Matchers.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <set>

using namespace mlir;
using namespace mmfree;

namespace {

/// Byte shuffles and outputs in lanes stop paying off past this many
/// outputs (each output costs one shuffle per codebook and row block).
constexpr int64_t kShuffleMaxOutputs = 32;
/// Each thread of the select and dots kernels takes whole groups of this
/// many channels.
constexpr int64_t kThreadChannels = 8;

/// The features the cost model and the presets name (LLVM's spelling).
constexpr llvm::StringLiteral kKnownFeatures[] = {
    "amx-int8", "amx-tile", "avx",      "avx2",       "avx512bw", "avx512cd",
    "avx512dq", "avx512f",  "avx512vl", "avx512vnni", "avxvnni",  "bmi",
    "bmi2",     "f16c",     "fma",      "gfni",       "lzcnt",    "movbe",
    "popcnt",   "sse4.2",   "ssse3"};

} // namespace

static bool isKnownFeature(StringRef name) {
  return llvm::is_contained(kKnownFeatures, name);
}

/// The x86-64 micro-architecture levels (psABI).
static std::set<std::string> presetFeatures(StringRef preset, bool &known) {
  std::set<std::string> v2 = {"popcnt", "sse4.2", "ssse3"};
  std::set<std::string> v3 = v2;
  v3.insert({"avx", "avx2", "bmi", "bmi2", "f16c", "fma", "lzcnt", "movbe"});
  std::set<std::string> v4 = v3;
  v4.insert({"avx512bw", "avx512cd", "avx512dq", "avx512f", "avx512vl"});
  known = true;
  if (preset == "generic" || preset == "x86-64")
    return {};
  if (preset == "x86-64-v2")
    return v2;
  if (preset == "x86-64-v3")
    return v3;
  if (preset == "x86-64-v4")
    return v4;
  if (preset == "host") {
    std::set<std::string> host;
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      if (feature.second && isKnownFeature(feature.first()))
        host.insert(feature.first().str());
    return host;
  }
  known = false;
  return {};
}

/// A cache size item's value: bytes, or a count with a K, M or G (binary)
/// suffix, within the sizes a target may give.
static std::optional<int64_t> parseCacheBytes(StringRef text) {
  int64_t scale = 1;
  if (!text.empty() && StringRef("KMG").contains(text.back())) {
    scale = int64_t(1) << (10 * (StringRef("KMG").find(text.back()) + 1));
    text = text.drop_back();
  }
  uint64_t count = 0;
  if (text.getAsInteger(10, count) ||
      count > uint64_t(kMaxCacheBytes / scale) ||
      int64_t(count) * scale < kMinCacheBytes)
    return std::nullopt;
  return int64_t(count) * scale;
}

/// This machine's L1 data and L2 cache sizes of CPU 0 (Linux sysfs), 0 where
/// it cannot tell.
static std::pair<int64_t, int64_t> hostCacheBytes() {
  int64_t l1d = 0, l2 = 0;
  for (int index = 0; index < 8; ++index) {
    std::string dir =
        llvm::formatv("/sys/devices/system/cpu/cpu0/cache/index{0}/", index);
    auto read = [&](StringRef name) -> std::string {
      auto buffer = llvm::MemoryBuffer::getFileAsStream(dir + name);
      return buffer ? (*buffer)->getBuffer().trim().str() : "";
    };
    std::string level = read("level"), type = read("type");
    std::optional<int64_t> bytes = parseCacheBytes(read("size"));
    if (!bytes)
      continue;
    if (level == "1" && type == "Data")
      l1d = *bytes;
    else if (level == "2" && type != "Instruction")
      l2 = *bytes;
  }
  return {l1d, l2};
}

/// The ISA of the target's byte shuffles, if it has them.
static std::optional<KernelIsa> shuffleIsa(CpuTargetAttr target) {
  if (target.hasFeature("avx512bw"))
    return KernelIsa::Avx512;
  if (target.hasFeature("avx2"))
    return KernelIsa::Avx2;
  return std::nullopt;
}

/// The ISA of the target's byte dot products: VNNI, else AVX2's byte-pair
/// multiply-adds.
static std::optional<KernelIsa> dotsIsa(CpuTargetAttr target) {
  if (target.hasFeature("avx512vnni") && target.hasFeature("avx512bw"))
    return KernelIsa::Avx512;
  if (target.hasFeature("avxvnni") && target.hasFeature("avx2"))
    return KernelIsa::AvxVnni;
  if (target.hasFeature("avx2"))
    return KernelIsa::Avx2;
  return std::nullopt;
}

/// Whether the target has AMX int8 tiles (with AVX-512 for the decode and
/// the epilogue around them).
static bool hasTiles(CpuTargetAttr target) {
  return target.hasFeature("amx-tile") && target.hasFeature("amx-int8") &&
         target.hasFeature("avx512bw");
}

static bool takesDots(TernaryMatmulOp op) {
  Type acc = op.getResult().getType().getElementType();
  return op.getInput().getType().getElementType().isInteger(8) &&
         (acc.isInteger(16) || acc.isInteger(32));
}

static KernelAttr selectTernary(TernaryMatmulOp op, CpuTargetAttr target,
                                std::optional<KernelKind> forced) {
  MLIRContext *ctx = op.getContext();
  if (op.getResult().getType().isDynamicDim(1))
    return nullptr;
  int64_t n = op.getResult().getType().getDimSize(1);
  int64_t threads = target.getThreads();
  auto make = [&](KernelKind kind, KernelIsa isa) -> KernelAttr {
    int64_t split = threads;
    if (kind != KernelKind::Lookup && n % (threads * kThreadChannels) != 0)
      split = 1;
    KernelAttr kernel = KernelAttr::get(ctx, kind, isa, split);
    return kernelMismatch(op, kernel).empty() ? kernel : nullptr;
  };
  std::optional<KernelIsa> dots = dotsIsa(target);
  std::optional<KernelIsa> shuffles = shuffleIsa(target);
  if (forced == KernelKind::Select)
    return make(KernelKind::Select, KernelIsa::Generic);
  if (forced == KernelKind::Dots && dots)
    if (KernelAttr kernel = make(KernelKind::Dots, *dots))
      return kernel;
  if (forced == KernelKind::Lookup && shuffles)
    if (KernelAttr kernel = make(KernelKind::Lookup, *shuffles))
      return kernel;
  // AMX tiles where they apply (M a multiple of 32): 16 x 16 x 64 products
  // per instruction against VNNI's 16 x 64 (docs/kernels.md).
  if ((forced == KernelKind::Tiles || !forced) && hasTiles(target))
    if (KernelAttr kernel = make(KernelKind::Tiles, KernelIsa::Amx))
      return kernel;
  if (dots && takesDots(op))
    if (KernelAttr kernel = make(KernelKind::Dots, *dots))
      return kernel;
  if (shuffles)
    if (KernelAttr kernel = make(KernelKind::Lookup, *shuffles))
      return kernel;
  return make(KernelKind::Select, KernelIsa::Generic);
}

static KernelAttr selectLut(LutMatmulOp op, CpuTargetAttr target,
                            std::optional<KernelKind> forced) {
  MLIRContext *ctx = op.getContext();
  int64_t threads = target.getThreads();
  std::optional<KernelIsa> shuffles = shuffleIsa(target);
  if (forced != KernelKind::Loads && shuffles) {
    auto kernel = KernelAttr::get(ctx, KernelKind::Shuffle, *shuffles, threads);
    if (kernelMismatch(op, kernel).empty())
      return kernel;
  }
  auto kernel = KernelAttr::get(
      ctx, KernelKind::Loads,
      shuffles == KernelIsa::Avx512 ? KernelIsa::Avx512 : KernelIsa::Generic,
      threads);
  return kernelMismatch(op, kernel).empty() ? kernel : nullptr;
}

CpuTargetAttr mmfree::parseCpuTarget(MLIRContext *context, StringRef spec,
                                     int64_t threads, std::string &error) {
  if (threads < 1 || threads > kMaxThreads) {
    error = llvm::formatv("threads must be in [1, {0}], got {1}", kMaxThreads,
                          threads);
    return nullptr;
  }
  SmallVector<StringRef> items;
  spec.split(items, ',');
  StringRef preset = items.front().trim();
  if (preset.empty())
    preset = "generic";
  bool known = false;
  std::set<std::string> features = presetFeatures(preset, known);
  if (!known) {
    error = llvm::formatv("unknown target '{0}': expected generic, x86-64, "
                          "x86-64-v2, x86-64-v3, x86-64-v4 or host, then "
                          "+feature / -feature items and l1d= / l2= sizes",
                          preset);
    return nullptr;
  }
  auto [l1d, l2] =
      preset == "host" ? hostCacheBytes() : std::pair<int64_t, int64_t>{0, 0};
  for (StringRef item : llvm::drop_begin(items)) {
    item = item.trim();
    auto [key, value] = item.split('=');
    if (key == "l1d" || key == "l2") {
      std::optional<int64_t> bytes = parseCacheBytes(value.trim());
      if (!bytes) {
        error = llvm::formatv(
            "bad cache size '{0}' in target '{1}': expected bytes in "
            "[{2}, {3}], optionally with a K, M or G suffix",
            item, spec, kMinCacheBytes, kMaxCacheBytes);
        return nullptr;
      }
      (key == "l1d" ? l1d : l2) = *bytes;
      continue;
    }
    StringRef name = item.drop_front();
    if (item.empty() || (item[0] != '+' && item[0] != '-') ||
        !isKnownFeature(name)) {
      error =
          llvm::formatv("bad feature item '{0}' in target '{1}': "
                        "expected l1d=size, l2=size, +name or -name, name "
                        "one of: {2}",
                        item, spec, llvm::join(ArrayRef(kKnownFeatures), ", "));
      return nullptr;
    }
    if (item[0] == '+')
      features.insert(name.str());
    else
      features.erase(name.str());
  }
  std::string list;
  for (const std::string &feature : features)
    list += (list.empty() ? "+" : ",+") + feature;
  bool x86 = preset == "host"
                 ? llvm::Triple(llvm::sys::getProcessTriple()).isX86()
                 : preset != "generic";
  return CpuTargetAttr::get(context, x86 ? "x86_64" : "", list, threads, l1d,
                            l2);
}

CpuTargetAttr mmfree::getCpuTarget(ModuleOp module) {
  if (auto target = module->getAttrOfType<CpuTargetAttr>(kTargetAttrName))
    return target;
  return CpuTargetAttr::get(module.getContext(), "", "", 1, 0, 0);
}

KernelAttr mmfree::selectKernel(Operation *op, CpuTargetAttr target,
                                std::optional<KernelKind> forced) {
  if (auto ternary = dyn_cast<TernaryMatmulOp>(op))
    return selectTernary(ternary, target, forced);
  if (auto lut = dyn_cast<LutMatmulOp>(op))
    return selectLut(lut, target, forced);
  return nullptr;
}

std::string mmfree::kernelMismatch(Operation *op, KernelAttr kernel) {
  KernelKind kind = kernel.getKind();
  if (auto ternary = dyn_cast<TernaryMatmulOp>(op)) {
    // Static: the verifier ties N to the packed weights' static shape.
    int64_t n = ternary.getResult().getType().getDimSize(1);
    if (kind == KernelKind::Dots && !takesDots(ternary))
      return "dots need i8 activations and i16/i32 sums";
    if (kind == KernelKind::Tiles) {
      auto input = ternary.getInput().getType();
      if (!takesDots(ternary))
        return "tiles need i8 activations and i16/i32 sums";
      if (input.isDynamicDim(0) || input.getDimSize(0) % kTileRows != 0)
        return llvm::formatv("tiles need a static M, a multiple of {0}",
                             kTileRows);
      if (n % (kTilePanel * kernel.getThreads()) != 0)
        return llvm::formatv("tiles need N ({0}) a multiple of {1} channels "
                             "x {2} threads",
                             n, kTilePanel, kernel.getThreads());
      if (ternary.getK() > kTileMaxK)
        return llvm::formatv("tiles need K at most {0} (the decoded weight "
                             "panel is stack scratch)",
                             kTileMaxK);
    }
    if (kind == KernelKind::Lookup) {
      if (!takesDots(ternary))
        return "lookups need i8 activations and i16/i32 sums";
      if (!matchPattern(ternary.getWeights(), m_Constant()))
        return "lookups need constant weights";
      int64_t lanes = kernelLanes(kernel);
      if (n % (lanes * kernel.getThreads()) != 0)
        return llvm::formatv("lookups need N ({0}) a multiple of {1} lanes "
                             "x {2} threads",
                             n, lanes, kernel.getThreads());
    }
    return "";
  }
  auto lut = cast<LutMatmulOp>(op);
  auto tablesType = lut.getTables().getType();
  if (!tablesType.hasStaticShape())
    return "the vector kernels need static tables";
  if (kind == KernelKind::Shuffle) {
    if (tablesType.getDimSize(2) > kShuffleMaxOutputs)
      return llvm::formatv("shuffles take at most {0} outputs",
                           kShuffleMaxOutputs);
    if (!lut.getCodes().getType().hasStaticShape() && !fusableLutEncode(lut))
      return "shuffles need static codes";
  }
  return "";
}

LogicalResult
mmfree::annotateKernels(ModuleOp module, CpuTargetAttr target,
                        KernelChoice ternary, KernelChoice lut, bool remarks,
                        llvm::function_ref<void(KernelAttr)> chosen) {
  auto forcedKind = [](KernelChoice choice) -> std::optional<KernelKind> {
    switch (choice) {
    case KernelChoice::Auto:
      return std::nullopt;
    case KernelChoice::Select:
      return KernelKind::Select;
    case KernelChoice::Dots:
      return KernelKind::Dots;
    case KernelChoice::Lookup:
      return KernelKind::Lookup;
    case KernelChoice::Tiles:
      return KernelKind::Tiles;
    case KernelChoice::Loads:
      return KernelKind::Loads;
    case KernelChoice::Shuffle:
      return KernelKind::Shuffle;
    }
    llvm_unreachable("unknown kernel choice");
  };
  WalkResult result = module.walk([&](Operation *op) {
    if (!isa<TernaryMatmulOp, LutMatmulOp>(op))
      return WalkResult::advance();
    if (auto kernel = op->getAttrOfType<KernelAttr>(kKernelAttrName)) {
      std::string why = kernelMismatch(op, kernel);
      if (!why.empty()) {
        op->emitError() << "kernel " << kernel
                        << " cannot lower this op: " << why;
        return WalkResult::interrupt();
      }
      chosen(kernel);
      return WalkResult::advance();
    }
    std::optional<KernelKind> forced =
        forcedKind(isa<TernaryMatmulOp>(op) ? ternary : lut);
    KernelAttr kernel = selectKernel(op, target, forced);
    if (remarks && forced && (!kernel || kernel.getKind() != *forced)) {
      KernelAttr wanted = KernelAttr::get(
          op->getContext(), *forced,
          *forced == KernelKind::Tiles ? KernelIsa::Amx : KernelIsa::Avx512, 1);
      std::string why = kernelMismatch(op, wanted);
      op->emitRemark() << "kernel '" << stringifyKernelKind(*forced)
                       << "' not taken: "
                       << (why.empty() ? "the target lacks its instructions"
                                       : why);
    }
    if (!kernel) {
      if (remarks)
        op->emitRemark() << "no vector kernel ("
                         << kernelMismatch(
                                op, KernelAttr::get(op->getContext(),
                                                    isa<TernaryMatmulOp>(op)
                                                        ? KernelKind::Select
                                                        : KernelKind::Loads,
                                                    KernelIsa::Generic, 1))
                         << "): left for mmfree-lower-to-linalg";
      return WalkResult::advance();
    }
    op->setAttr(kKernelAttrName, kernel);
    chosen(kernel);
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

int64_t mmfree::kernelLanes(KernelAttr kernel) {
  bool wide = kernel.getIsa() == KernelIsa::Avx512;
  switch (kernel.getKind()) {
  case KernelKind::Select:
    return 0;
  case KernelKind::Dots:
    return wide ? 16 : 8;
  case KernelKind::Tiles:
    return 16;
  case KernelKind::Lookup:
  case KernelKind::Shuffle:
  case KernelKind::Loads:
    return wide ? 64 : 32;
  }
  llvm_unreachable("unknown kernel kind");
}
