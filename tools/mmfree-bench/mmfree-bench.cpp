//===- mmfree-bench.cpp - time mmfree strategies against baselines --------===//
//
// For each shape, builds a matmul module, compiles it through each strategy
// with the same pipelines mmfree-opt runs, for the host (JIT, or ahead of
// time into shared objects: --protocol) and times it next to OpenBLAS sgemm
// and the same matmul in f32 through our own pipeline, all in one run.
// Reports medians and ratios (never absolute claims): a table on stdout and,
// with --json, a JSON file.
//
//===----------------------------------------------------------------------===//

#include "Jit.h"
#include "OneDnn.h"
#include "mmfree/Dialect/MMFree/IR/MMFree.h"
#include "mmfree/Numerics/LMul.h"
#include "mmfree/Numerics/Ternary.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

#include <cblas.h>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <immintrin.h>
#include <pthread.h>
#include <random>
#include <sched.h>
#include <sstream>
#include <sys/mman.h>
#include <tuple>
#include <unistd.h>

using namespace mlir;
using namespace mmfree;

static llvm::cl::OptionCategory benchCategory("mmfree-bench options");
static llvm::cl::list<std::string>
    shapes("shape", llvm::cl::desc("MxNxK (repeatable; default 512x512x512)"),
           llvm::cl::cat(benchCategory));
static llvm::cl::opt<int> repetitions("repetitions",
                                      llvm::cl::desc("timed runs (median)"),
                                      llvm::cl::init(11),
                                      llvm::cl::cat(benchCategory));
static llvm::cl::opt<std::string> jsonPath("json",
                                           llvm::cl::desc("write JSON here"),
                                           llvm::cl::cat(benchCategory));
static llvm::cl::opt<std::string>
    plotPath("plot", llvm::cl::desc("write a PNG bar chart here (gnuplot)"),
             llvm::cl::cat(benchCategory));
static llvm::cl::opt<std::string> ternaryOptions(
    "ternary-options",
    llvm::cl::desc("mmfree-cpu-pipeline options for the ternary layers "
                   "(after target=host), e.g. \"ternary-kernel=lookup\" or "
                   "\"target=x86-64-v3\""),
    llvm::cl::init(""), llvm::cl::cat(benchCategory));
static llvm::cl::opt<bool> hugePages(
    "huge-pages",
    llvm::cl::desc("f32 weights and their streamed copies (ternary), A "
                   "(lut): in 2 MB pages where the kernel grants them"),
    llvm::cl::init(true), llvm::cl::cat(benchCategory));
static llvm::cl::opt<std::string> openblasCore(
    "openblas-core",
    llvm::cl::desc("OpenBLAS kernel family (OPENBLAS_CORETYPE; default: the "
                   "best for the host's features, whatever the environment "
                   "says)"),
    llvm::cl::cat(benchCategory));
static llvm::cl::opt<std::string>
    suite("suite",
          llvm::cl::desc("lmul (M x N x K matmuls on runtime operands), "
                         "lut (N x M x D: rows, outputs, depth; constant "
                         "weights, MADDNESS with 16 codebooks), ternary "
                         "(M x N x K nn.Linear layers, ternary weights) or "
                         "iree (the ternary layers' portable output in IREE "
                         "next to our kernels; needs --iree-tools)"),
          llvm::cl::init("lmul"), llvm::cl::cat(benchCategory));

static llvm::cl::opt<std::string> protocol(
    "protocol",
    llvm::cl::desc(
        "jit-warm: JIT-compiled strategies, each timed call right after "
        "untimed ones of the same strategy (its data in cache, its threads "
        "awake); aot-cold: compiled ahead of time (clang -O3 "
        "-march=native, a shared object loaded with dlopen) and called in "
        "turn with no untimed call before the timed one, results from "
        "default malloc, as a program calls a layer; both: one after the "
        "other"),
    llvm::cl::init("jit-warm"), llvm::cl::cat(benchCategory));

static llvm::cl::opt<std::string> ireeTools(
    "iree-tools",
    llvm::cl::desc("folder with iree-compile and iree-benchmark-module (the "
                   "project's .venv/bin), for --suite iree"),
    llvm::cl::cat(benchCategory));

namespace {

struct Shape {
  int64_t m, n, k;
};

struct Strategy {
  std::string name;
  numerics::FloatFormat format;
  std::string pipeline;
};

/// The protocol being measured (--protocol): how strategies are compiled
/// and whether timed calls follow untimed ones.
Compilation compilation = Compilation::Jit;
bool warmCalls = true;
std::string protocolName = "jit-warm";

struct Row {
  std::string protocol = protocolName;
  std::string shape, strategy;
  double micros, vsOwnF32, vsBlas; // vsBlas: against single-thread OpenBLAS

  Row(std::string shape, std::string strategy, double micros, double vsOwnF32,
      double vsBlas)
      : shape(std::move(shape)), strategy(std::move(strategy)), micros(micros),
        vsOwnF32(vsOwnF32), vsBlas(vsBlas) {}
};

} // namespace

/// Writes the rows to --json and a bar chart of their speed against
/// single-thread OpenBLAS to --plot (PNG, through gnuplot), as asked.
static bool writeOutputs(const std::vector<Row> &rows) {
  if (!jsonPath.empty()) {
    std::error_code ec;
    llvm::raw_fd_ostream os(jsonPath, ec);
    if (ec) {
      llvm::errs() << "mmfree-bench: " << ec.message() << "\n";
      return false;
    }
    os << "[\n";
    for (size_t i = 0; i < rows.size(); ++i)
      os << "  {\"protocol\": \"" << rows[i].protocol << "\", \"shape\": \""
         << rows[i].shape << "\", \"strategy\": \"" << rows[i].strategy
         << "\", \"median_us\": " << rows[i].micros
         << ", \"vs_own_f32\": " << rows[i].vsOwnF32
         << ", \"vs_openblas\": " << rows[i].vsBlas << "}"
         << (i + 1 < rows.size() ? ",\n" : "\n");
    os << "]\n";
  }
  if (plotPath.empty())
    return true;
  std::string data = plotPath + ".dat";
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(data, ec);
    if (ec) {
      llvm::errs() << "mmfree-bench: " << ec.message() << "\n";
      return false;
    }
    for (const Row &r : rows)
      os << "\"" << r.shape << "  " << r.strategy
         << (r.protocol == "jit-warm" ? "" : " (" + r.protocol + ")") << "\" "
         << r.vsBlas << "\n";
  }
  std::string script =
      "set terminal pngcairo size 1900,800 font ',9'; set output '" + plotPath +
      "'; set style fill solid; set boxwidth 0.7; set logscale y; "
      "set ylabel 'speed / single-thread OpenBLAS (log)'; "
      "set xtics rotate by -35 scale 0; set bmargin 22; set rmargin 16; set "
      "grid ytics; "
      "plot '" +
      data +
      "' using 0:2:xtic(1) with boxes notitle, 1 with lines lw 2 "
      "title 'OpenBLAS, 1 thread'";
  std::string command = "gnuplot -e \"" + script + "\"";
  if (std::system(command.c_str()) != 0) {
    llvm::errs() << "mmfree-bench: gnuplot failed\n";
    return false;
  }
  return true;
}

static std::string matmulModule(const Shape &s, llvm::StringRef elt) {
  std::ostringstream os;
  os << "func.func @matmul(%a: tensor<" << s.m << "x" << s.k << "x" << elt.str()
     << ">, %b: tensor<" << s.k << "x" << s.n << "x" << elt.str()
     << ">) -> tensor<" << s.m << "x" << s.n << "xf32> {\n"
     << "  %z = arith.constant 0.0 : f32\n"
     << "  %e = tensor.empty() : tensor<" << s.m << "x" << s.n << "xf32>\n"
     << "  %c = linalg.fill ins(%z : f32) outs(%e : tensor<" << s.m << "x"
     << s.n << "xf32>) -> tensor<" << s.m << "x" << s.n << "xf32>\n"
     << "  %y = linalg.matmul ins(%a, %b : tensor<" << s.m << "x" << s.k << "x"
     << elt.str() << ">, tensor<" << s.k << "x" << s.n << "x" << elt.str()
     << ">) outs(%c : tensor<" << s.m << "x" << s.n << "xf32>) -> tensor<"
     << s.m << "x" << s.n << "xf32>\n"
     << "  return %y : tensor<" << s.m << "x" << s.n << "xf32>\n}\n";
  return os.str();
}

/// Inputs encoded in `format`, as raw bytes.
static std::vector<uint8_t> encodeAll(const std::vector<float> &v,
                                      numerics::FloatFormat format) {
  unsigned bytes = numerics::formatInfo(format).bits / 8;
  std::vector<uint8_t> out(v.size() * bytes);
  for (size_t i = 0; i < v.size(); ++i) {
    uint32_t bits;
    if (format == numerics::FloatFormat::F32)
      std::memcpy(&bits, &v[i], 4);
    else
      bits = numerics::encode(format, v[i]);
    std::memcpy(&out[i * bytes], &bits, bytes); // little endian
  }
  return out;
}

/// The LUT suite's module: @matmul(A) with B (K x N) a constant blob.
/// With `columnMajorA`, @matmul takes A's transpose (K x M, BLAS
/// column-major A) and transposes it back with linalg.transpose.
static std::string constantWeightModule(const Shape &s,
                                        const std::vector<float> &b,
                                        bool columnMajorA = false) {
  std::ostringstream os;
  std::string bt =
      "tensor<" + std::to_string(s.k) + "x" + std::to_string(s.n) + "xf32>";
  std::string yt =
      "tensor<" + std::to_string(s.m) + "x" + std::to_string(s.n) + "xf32>";
  std::string at =
      "tensor<" + std::to_string(s.m) + "x" + std::to_string(s.k) + "xf32>";
  std::string att =
      "tensor<" + std::to_string(s.k) + "x" + std::to_string(s.m) + "xf32>";
  if (columnMajorA)
    os << "func.func @matmul(%at: " << att << ") -> " << yt << " {\n"
       << "  %ae = tensor.empty() : " << at << "\n"
       << "  %a = linalg.transpose ins(%at : " << att << ") outs(%ae : " << at
       << ") permutation = [1, 0]\n";
  else
    os << "func.func @matmul(%a: " << at << ") -> " << yt << " {\n";
  os << "  %b = arith.constant dense_resource<weights> : " << bt << "\n"
     << "  %z = arith.constant 0.0 : f32\n"
     << "  %e = tensor.empty() : " << yt << "\n"
     << "  %c = linalg.fill ins(%z : f32) outs(%e : " << yt << ") -> " << yt
     << "\n"
     << "  %y = linalg.matmul ins(%a, %b : " << at << ", " << bt
     << ") outs(%c : " << yt << ") -> " << yt << "\n"
     << "  return %y : " << yt << "\n}\n"
     << "{-#\n  dialect_resources: {\n    builtin: {\n      weights: "
        "\"0x04000000";
  static const char *hex = "0123456789ABCDEF";
  const auto *bytes = reinterpret_cast<const unsigned char *>(b.data());
  for (size_t i = 0; i < b.size() * sizeof(float); ++i)
    os << hex[bytes[i] >> 4] << hex[bytes[i] & 15];
  os << "\"\n    }\n  }\n#-}\n";
  return os.str();
}

/// Writes rows x cols float32 values as a .npy file.
static bool writeNpy(const std::string &path, const std::vector<float> &v,
                     int64_t rows, int64_t cols) {
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" +
                       std::to_string(rows) + ", " + std::to_string(cols) +
                       "), }";
  header.append(64 - (10 + header.size() + 1) % 64, ' ');
  header += '\n';
  FILE *f = std::fopen(path.c_str(), "wb");
  if (!f)
    return false;
  unsigned char len[2] = {uint8_t(header.size() & 255),
                          uint8_t(header.size() >> 8)};
  std::fwrite("\x93NUMPY\x01\x00", 1, 8, f);
  std::fwrite(len, 1, 2, f);
  std::fwrite(header.data(), 1, header.size(), f);
  std::fwrite(v.data(), sizeof(float), v.size(), f);
  return std::fclose(f) == 0;
}

namespace {

using UnaryFn = void (*)(StridedMemRefType<float, 2> *,
                         StridedMemRefType<float, 2> *);

using MatmulFn = void (*)(StridedMemRefType<float, 2> *,
                          StridedMemRefType<uint8_t, 2> *,
                          StridedMemRefType<uint8_t, 2> *);

} // namespace

static StridedMemRefType<uint8_t, 2> view(std::vector<uint8_t> &data,
                                          int64_t rows, int64_t cols) {
  // Element pointers are untyped here: the callee reads its own type.
  return {data.data(), data.data(), 0, {rows, cols}, {cols, 1}};
}

/// nn.Linear-style modules for the ternary suite: @ternary(x) with N x K
/// weights in {-1, 0, 1} stored as an i8 blob (converted with sitofp, which
/// the rewrite sees through), and @dense(x, w) with runtime f32 weights.
std::string linearModules(const Shape &s, const std::vector<int8_t> &w) {
  std::ostringstream os;
  auto t = [](int64_t a, int64_t b, const char *e) {
    return "tensor<" + std::to_string(a) + "x" + std::to_string(b) + "x" + e +
           ">";
  };
  std::string xt = t(s.m, s.k, "f32"), yt = t(s.m, s.n, "f32"),
              wt = t(s.n, s.k, "f32"), wi = t(s.n, s.k, "i8"),
              tt = t(s.k, s.n, "f32");
  auto body = [&](const std::string &w) {
    os << "  %z = arith.constant 0.0 : f32\n  %e = tensor.empty() : " << yt
       << "\n  %c = linalg.fill ins(%z : f32) outs(%e : " << yt << ") -> " << yt
       << "\n  %te = tensor.empty() : " << tt
       << "\n  %wt = linalg.transpose ins(" << w << " : " << wt
       << ") outs(%te : " << tt << ") permutation = [1, 0]\n"
       << "  %y = linalg.matmul ins(%x, %wt : " << xt << ", " << tt
       << ") outs(%c : " << yt << ") -> " << yt << "\n  return %y : " << yt
       << "\n}\n";
  };
  os << "func.func @ternary(%x: " << xt << ") -> " << yt << " {\n"
     << "  %wi = arith.constant dense_resource<weights> : " << wi << "\n"
     << "  %w = arith.sitofp %wi : " << wi << " to " << wt << "\n";
  body("%w");
  os << "func.func @dense(%x: " << xt << ", %w: " << wt << ") -> " << yt
     << " {\n";
  body("%w");
  os << "{-#\n  dialect_resources: {\n    builtin: {\n      weights: "
        "\"0x01000000";
  static const char *hex = "0123456789ABCDEF";
  for (int8_t v : w)
    os << hex[uint8_t(v) >> 4] << hex[uint8_t(v) & 15];
  os << "\"\n    }\n  }\n#-}\n";
  return os.str();
}

using BinaryFn = void (*)(StridedMemRefType<float, 2> *,
                          StridedMemRefType<float, 2> *,
                          StridedMemRefType<float, 2> *);

/// The mmfree ops of one BitNet layer with the packed weights as an
/// argument, so that calls can rotate through copies of them.
std::string packedGemvModule(const Shape &s) {
  int64_t blocks = numerics::numBlocks(s.k);
  std::string acc = "i" + std::to_string(numerics::accumulatorBits(s.k));
  std::string xt = "tensor<1x" + std::to_string(s.k) + "xf32>",
              qt = "tensor<1x" + std::to_string(s.k) + "xi8>",
              wt = "tensor<" + std::to_string(s.n) + "x" +
                   std::to_string(blocks) + "x16xi8>",
              at = "tensor<1x" + std::to_string(s.n) + "x" + acc + ">",
              yt = "tensor<1x" + std::to_string(s.n) + "xf32>";
  std::ostringstream os;
  os << "func.func @gemv(%x: " << xt << ", %w: " << wt << ") -> " << yt
     << " {\n  %xq, %q = mmfree.quantize_rows %x : " << xt << " -> " << qt
     << ", tensor<1xf32>\n  %acc = mmfree.ternary_matmul %xq, %w {k = " << s.k
     << " : i64} : " << qt << ", " << wt << " -> " << at
     << "\n  %ws = arith.constant dense<1.0> : tensor<1xf32>\n"
     << "  %y = mmfree.dequantize %acc, %ws, %q : (" << at
     << ", tensor<1xf32>, tensor<1xf32>) -> " << yt << "\n  return %y : " << yt
     << "\n}\n";
  return os.str();
}

/// Copies of `bytes` that together exceed twice the last-level cache.
int64_t streamedCopies(int64_t bytes) {
  long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
  int64_t set = 2 * std::max<int64_t>(l3 > 0 ? l3 : 0, int64_t(64) << 20);
  return std::max<int64_t>(2, (set + bytes - 1) / bytes);
}

/// `count` copies of `data` in one mapping (from a 2 MB boundary; copies of
/// 2 MB or more each start on one), which with --huge-pages asks for 2 MB
/// pages (a 4 KB page is a TLB miss per 64 lines, and on a VM each miss
/// walks two page tables).
class PagedCopies {
public:
  PagedCopies(const void *data, size_t bytes, size_t count)
      : count(count),
        stride(llvm::alignTo(bytes, bytes < kHuge ? kLine : kHuge)) {
    mapped = count * stride + kHuge;
    void *at = mmap(nullptr, mapped, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (at == MAP_FAILED) {
      std::perror("mmap");
      std::exit(1);
    }
    base = static_cast<char *>(at);
    first = base + (kHuge - reinterpret_cast<uintptr_t>(base) % kHuge) % kHuge;
    if (hugePages)
      madvise(first, count * stride, MADV_HUGEPAGE);
    for (size_t i = 0; i < count; ++i)
      std::memcpy(first + i * stride, data, bytes);
  }
  ~PagedCopies() { munmap(base, mapped); }
  PagedCopies(const PagedCopies &) = delete;
  PagedCopies &operator=(const PagedCopies &) = delete;

  template <typename T> T *copy(size_t i) {
    return reinterpret_cast<T *>(first + i % count * stride);
  }
  template <typename T> T *next() { return copy<T>(nextCopy++); }
  size_t size() const { return count; }

private:
  static constexpr size_t kHuge = size_t(2) << 20, kLine = 64;
  size_t count, stride, mapped, nextCopy = 0;
  char *base, *first;
};

/// Anonymous memory of this process in 2 MB pages, in MB (-1: unknown).
long hugePageMegabytes() {
  std::FILE *f = std::fopen("/proc/self/smaps_rollup", "r");
  if (!f)
    return -1;
  char line[256];
  long kb = -1;
  while (std::fgets(line, sizeof(line), f))
    if (std::sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
      break;
  std::fclose(f);
  return kb < 0 ? -1 : kb / 1024;
}

/// Sums of `bytes` (a multiple of 256) in 64-bit lanes with the widest
/// vector loads the CPU has, four independent accumulators: a read loop at
/// the memory system's speed, not a scalar or SSE one.
__attribute__((target("avx512f"))) uint64_t sumAvx512(const uint8_t *p,
                                                      size_t bytes) {
  __m512i a = _mm512_setzero_si512(), b = a, c = a, d = a;
  for (size_t i = 0; i < bytes; i += 256) {
    a = _mm512_add_epi64(a, _mm512_loadu_si512(p + i));
    b = _mm512_add_epi64(b, _mm512_loadu_si512(p + i + 64));
    c = _mm512_add_epi64(c, _mm512_loadu_si512(p + i + 128));
    d = _mm512_add_epi64(d, _mm512_loadu_si512(p + i + 192));
  }
  return _mm512_reduce_add_epi64(
      _mm512_add_epi64(_mm512_add_epi64(a, b), _mm512_add_epi64(c, d)));
}

__attribute__((target("avx2"))) uint64_t sumAvx2(const uint8_t *p,
                                                 size_t bytes) {
  __m256i a = _mm256_setzero_si256(), b = a, c = a, d = a;
  for (size_t i = 0; i < bytes; i += 128) {
    a = _mm256_add_epi64(a, _mm256_loadu_si256((const __m256i *)(p + i)));
    b = _mm256_add_epi64(b, _mm256_loadu_si256((const __m256i *)(p + i + 32)));
    c = _mm256_add_epi64(c, _mm256_loadu_si256((const __m256i *)(p + i + 64)));
    d = _mm256_add_epi64(d, _mm256_loadu_si256((const __m256i *)(p + i + 96)));
  }
  __m256i sum =
      _mm256_add_epi64(_mm256_add_epi64(a, b), _mm256_add_epi64(c, d));
  uint64_t lanes[4];
  _mm256_storeu_si256((__m256i *)lanes, sum);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

/// Reads `bytes` at `p` on `threads` threads: the calling one and threads
/// - 1 started for the call, each bound to another CPU than the caller's
/// (left to the scheduler, a new thread first waits on its parent's CPU,
/// for milliseconds on this VM), each reading a contiguous share.
uint64_t readMemory(const uint8_t *p, size_t bytes, int threads) {
  auto sum = __builtin_cpu_supports("avx512f") ? sumAvx512 : sumAvx2;
  size_t share = bytes / threads / 256 * 256;
  std::vector<uint64_t> sums(threads);
  std::vector<pthread_t> workers(threads);
  struct Task {
    decltype(sum) fn;
    const uint8_t *p;
    size_t bytes;
    uint64_t *out;
  };
  std::vector<Task> tasks(threads);
  int cpus = std::max(1, int(sysconf(_SC_NPROCESSORS_ONLN)));
  int self = sched_getcpu();
  for (int t = 1; t < threads; ++t) {
    tasks[t] = {sum, p + t * share,
                t + 1 == threads ? bytes - t * share : share, &sums[t]};
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET((self + t) % cpus, &set);
    pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
    pthread_create(
        &workers[t], &attr,
        [](void *arg) -> void * {
          auto *task = static_cast<Task *>(arg);
          *task->out = task->fn(task->p, task->bytes);
          return nullptr;
        },
        &tasks[t]);
    pthread_attr_destroy(&attr);
  }
  sums[0] = sum(p, threads == 1 ? bytes : share);
  uint64_t total = sums[0];
  for (int t = 1; t < threads; ++t) {
    pthread_join(workers[t], nullptr);
    total += sums[t];
  }
  return total;
}

/// GEMV with the weights streamed from memory, as in LLM decoding: every
/// call reads the next of several weight copies larger than the caches.
/// Also measures one thread's read bandwidth over the same copies and the
/// time the 2-bit weights alone need at that bandwidth (the bound).
bool streamedGemv(MLIRContext &context, const Shape &s,
                  const std::vector<int8_t> &w, const std::vector<float> &x,
                  std::vector<Row> &rows) {
  using GemvFn =
      void (*)(StridedMemRefType<float, 2> *, StridedMemRefType<float, 2> *,
               StridedMemRefType<int8_t, 3> *);
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(packedGemvModule(s), &context);
  if (!module)
    return false;
  std::unique_ptr<CompiledModule> engine = compile(
      *module, "gemv",
      "mmfree-cpu-pipeline{target=host " + ternaryOptions + "}", compilation);
  std::unique_ptr<CompiledModule> engine2 = compile(
      *module, "gemv",
      "mmfree-cpu-pipeline{target=host " + ternaryOptions + " threads=2}",
      compilation);
  auto gemv = engine
                  ? reinterpret_cast<GemvFn>(engine->lookupCInterface("gemv"))
                  : nullptr;
  auto gemv2 = engine2
                   ? reinterpret_cast<GemvFn>(engine2->lookupCInterface("gemv"))
                   : nullptr;
  if (!gemv || !gemv2)
    return false;
  int64_t blocks = numerics::numBlocks(s.k);
  std::vector<uint8_t> packed = numerics::packTernary(w.data(), s.n, s.k);
  std::vector<float> wf(w.begin(), w.end());
  const size_t floatBytes = wf.size() * sizeof(float);
  PagedCopies packedCopies(packed.data(), packed.size(),
                           streamedCopies(packed.size()));
  PagedCopies floatCopies(wf.data(), floatBytes, streamedCopies(floatBytes));
  size_t nextRead = 0; // the bandwidth probe's own turn through floatCopies
  std::vector<float> y(s.n), xv = x;
  StridedMemRefType<float, 2> in = {
      xv.data(), xv.data(), 0, {1, s.k}, {s.k, 1}};
  volatile uint64_t sink = 0;
  auto blas = [&](int threads) {
    return [&, threads] {
      openblas_set_num_threads(threads);
      cblas_sgemv(CblasRowMajor, CblasNoTrans, s.n, s.k, 1.f,
                  floatCopies.next<float>(), s.k, xv.data(), 1, 0.f, y.data(),
                  1);
    };
  };
  auto ternary = [&](GemvFn fn, bool inCache = false) {
    return [&, fn, inCache] {
      int8_t *m =
          inCache ? packedCopies.copy<int8_t>(0) : packedCopies.next<int8_t>();
      StridedMemRefType<int8_t, 3> weights = {
          m, m, 0, {s.n, blocks, 16}, {blocks * 16, 16, 1}};
      StridedMemRefType<float, 2> out;
      fn(&out, &in, &weights);
      free(out.basePtr);
    };
  };
  std::vector<std::function<void()>> runs = {
      ternary(gemv), blas(1), blas(2),
      [&] { // one thread reading a float copy: the bandwidth
        sink = sink + readMemory(floatCopies.copy<uint8_t>(nextRead++),
                                 floatBytes / 256 * 256, 1);
      },
      ternary(gemv2),
      [&] { // the same with two threads
        sink = sink + readMemory(floatCopies.copy<uint8_t>(nextRead++),
                                 floatBytes / 256 * 256, 2);
      },
      // The same runtime weights on every call: what the kernel does when
      // memory is not the limit (the constant-weight rows above are
      // interleaved at compile time).
      ternary(gemv, /*inCache=*/true)};
  // Warm: the untimed calls read other copies, but wake the thread pools.
  std::vector<double> t =
      medianMicrosRoundRobin(runs, repetitions, /*warm=*/warmCalls,
                             {false, false, true, false, true, false, false});
  openblas_set_num_threads(1);
  double bandwidth = double(floatBytes / 256 * 256) / t[3]; // bytes/us
  double bandwidth2 = double(floatBytes / 256 * 256) / t[5];
  double bound = double(packed.size()) / bandwidth;
  double bound2 = double(packed.size()) / bandwidth2;
  std::string shape =
      "1x" + std::to_string(s.n) + "x" + std::to_string(s.k) + " streamed";
  std::printf("%-16s read bandwidth: %.1f GB/s (1 thread), %.1f GB/s (2 "
              "threads) over %zu + %zu weight copies (%ld MB in 2 MB pages)\n",
              shape.c_str(), bandwidth / 1000, bandwidth2 / 1000,
              packedCopies.size(), floatCopies.size(), hugePageMegabytes());
  std::printf("%-16s %-32s %12s %14s %14s\n", "", "strategy", "time (ms)",
              "x OpenBLAS 1T", "bound / time");
  // Each row against the bound of its thread count.
  const std::tuple<const char *, double, double> results[] = {
      {"ternary int8 (1 thread)", t[0], bound},
      {"OpenBLAS sgemv, 1 thread", t[1], bound},
      {"OpenBLAS sgemv, 2 threads", t[2], bound2},
      {"ternary int8 (2 threads)", t[4], bound2},
      {"bound: 2-bit weights / bandwidth", bound, bound},
      {"bound, 2 threads", bound2, bound2},
      {"ternary int8, same weights (1T)", t[6], 0}};
  for (const auto &[name, time, limit] : results) {
    // The in-cache row has neither a streamed baseline nor a bound.
    rows.emplace_back(shape, name, time, 0, limit > 0 ? t[1] / time : 0);
    if (limit > 0)
      std::printf("%-16s %-32s %12.3f %13.2fx %13.2f\n", shape.c_str(), name,
                  time / 1000, t[1] / time, limit / time);
    else
      std::printf("%-16s %-32s %12.3f %14s %14s\n", shape.c_str(), name,
                  time / 1000, "-", "-");
  }
  return true;
}

/// Ternary layers (GEMV and GEMM, weights in cache) against OpenBLAS with 1
/// and 2 threads and our f32 path on the same layer.
int ternarySuite(MLIRContext &context, const std::vector<Shape> &shapes,
                 std::vector<Row> &rows) {
  std::printf("%-16s %-32s %12s %12s %14s %14s\n", "MxNxK", "strategy",
              "time (ms)", "x our f32", "x OpenBLAS 1T", "x OpenBLAS 2T");
  for (const Shape &s : shapes) {
    std::mt19937 gen(1);
    std::normal_distribution<float> normal(0.f, 1.f);
    std::vector<int8_t> w(s.n * s.k);
    std::vector<float> wf(w.size()), x(s.m * s.k), y(s.m * s.n);
    for (size_t i = 0; i < w.size(); ++i)
      wf[i] = w[i] = int8_t(int(gen() % 3) - 1);
    for (float &v : x)
      v = normal(gen);
    OwningOpRef<ModuleOp> module =
        parseSourceString<ModuleOp>(linearModules(s, w), &context);
    if (!module)
      return 1;
    std::string pipeline =
        "mmfree-matmul-to-ternary,mmfree-cpu-pipeline{target=host " +
        ternaryOptions;
    std::unique_ptr<CompiledModule> ternary =
        mmfree::compile(*module, "ternary", pipeline + "}", compilation);
    std::unique_ptr<CompiledModule> ternary2 =
        compile(*module, "ternary", pipeline + " threads=2}", compilation);
    std::unique_ptr<CompiledModule> dense = mmfree::compile(
        *module, "dense", "mmfree-cpu-pipeline{target=host}", compilation);
    auto ternaryFn =
        ternary
            ? reinterpret_cast<UnaryFn>(ternary->lookupCInterface("ternary"))
            : nullptr;
    auto ternary2Fn =
        ternary2
            ? reinterpret_cast<UnaryFn>(ternary2->lookupCInterface("ternary"))
            : nullptr;
    auto denseFn =
        dense ? reinterpret_cast<BinaryFn>(dense->lookupCInterface("dense"))
              : nullptr;
    if (!ternaryFn || !ternary2Fn || !denseFn)
      return 1;
    StridedMemRefType<float, 2> in = {
        x.data(), x.data(), 0, {s.m, s.k}, {s.k, 1}};
    // The f32 weights (64+ MB, read from memory whatever the protocol) in
    // the same pages as the streamed copies.
    PagedCopies denseCopy(wf.data(), wf.size() * sizeof(float), 1);
    float *wd = denseCopy.copy<float>(0);
    StridedMemRefType<float, 2> weights = {wd, wd, 0, {s.n, s.k}, {s.k, 1}};
    auto blas = [&](int threads) {
      return [&, threads] {
        openblas_set_num_threads(threads);
        if (s.m == 1)
          cblas_sgemv(CblasRowMajor, CblasNoTrans, s.n, s.k, 1.f, wd, s.k,
                      x.data(), 1, 0.f, y.data(), 1);
        else
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, s.m, s.n, s.k,
                      1.f, x.data(), s.k, wd, s.k, 0.f, y.data(), s.n);
      };
    };
    // oneDNN's f32 and int8 (s8 x s8 -> s32, activations quantized ahead)
    // matmuls, weights packed once for this machine.
    std::unique_ptr<OneDnnMatmul> dnnlF32 =
        OneDnnMatmul::create(s.m, s.n, s.k, x.data(), wd, /*int8=*/false);
    std::unique_ptr<OneDnnMatmul> dnnlInt8 =
        OneDnnMatmul::create(s.m, s.n, s.k, x.data(), wd, /*int8=*/true);
    if (!dnnlF32 || !dnnlInt8)
      return 1;
    std::printf("%-16s oneDNN kernels: %s (f32), %s (int8)\n",
                (std::to_string(s.m) + "x" + std::to_string(s.n) + "x" +
                 std::to_string(s.k))
                    .c_str(),
                dnnlF32->implementation().c_str(),
                dnnlInt8->implementation().c_str());
    std::vector<std::function<void()>> runs = {
        [&] {
          StridedMemRefType<float, 2> out;
          ternaryFn(&out, &in);
          free(out.basePtr);
        },
        [&] {
          StridedMemRefType<float, 2> out;
          denseFn(&out, &in, &weights);
          free(out.basePtr);
        },
        blas(1),
        blas(2),
        [&] {
          StridedMemRefType<float, 2> out;
          ternary2Fn(&out, &in);
          free(out.basePtr);
        },
        [&] { dnnlF32->run(1); },
        [&] { dnnlInt8->run(1); },
        [&] { dnnlInt8->run(2); }};
    std::vector<double> t = medianMicrosRoundRobin(
        runs, repetitions, /*warm=*/warmCalls,
        {false, false, false, true, true, false, false, true});
    openblas_set_num_threads(1);
    std::string shape = std::to_string(s.m) + "x" + std::to_string(s.n) + "x" +
                        std::to_string(s.k);
    const char *names[] = {
        "ternary int8 (1 thread)",
        "f32 (mmfree-cpu-pipeline)",
        s.m == 1 ? "OpenBLAS sgemv, 1 thread" : "OpenBLAS sgemm, 1 thread",
        s.m == 1 ? "OpenBLAS sgemv, 2 threads" : "OpenBLAS sgemm, 2 threads",
        "ternary int8 (2 threads)",
        "oneDNN f32 matmul, 1 thread",
        "oneDNN int8 matmul, 1 thread",
        "oneDNN int8 matmul, 2 threads"};
    for (size_t i = 0; i < t.size(); ++i) {
      rows.emplace_back(shape, names[i], t[i], t[1] / t[i], t[2] / t[i]);
      std::printf("%-16s %-32s %12.3f %11.2fx %13.2fx %13.2fx\n", shape.c_str(),
                  names[i], t[i] / 1000, t[1] / t[i], t[2] / t[i], t[3] / t[i]);
    }
    if (s.m == 1 && !streamedGemv(context, s, w, x, rows))
      return 1;
  }
  return 0;
}

/// Runs `command` (a shell line); false after printing it if it failed.
bool runCommand(const std::string &command) {
  if (std::system(command.c_str()) == 0)
    return true;
  llvm::errs() << "mmfree-bench: failed: " << command << "\n";
  return false;
}

/// `module` through `pipeline` into `path` as text; false after an error.
bool writeLowered(ModuleOp module, llvm::StringRef pipeline,
                  const std::string &path) {
  OwningOpRef<ModuleOp> clone = module.clone();
  PassManager pm(module.getContext());
  if (!pipeline.empty() &&
      (failed(parsePassPipeline(pipeline, pm)) || failed(pm.run(*clone))))
    return false;
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return false;
  clone->print(os);
  return true;
}

/// Median microseconds of `function` in the IREE module `vmfb` over
/// `inputs` (.npy paths), by iree-benchmark-module on one thread
/// (local-sync); negative after printing an error.
double ireeMedianMicros(const std::string &dir, const std::string &vmfb,
                        const std::string &function,
                        const std::vector<std::string> &inputs) {
  std::string json = dir + "/" + function + ".json";
  std::string command =
      ireeTools + "/iree-benchmark-module --module=" + vmfb +
      " --device=local-sync --function=" + function +
      " --benchmark_repetitions=" + std::to_string(repetitions) +
      " --benchmark_format=json --benchmark_out=" + json + " > /dev/null";
  for (const std::string &in : inputs)
    command += " --input=@" + in;
  if (!runCommand(command))
    return -1;
  auto buffer = llvm::MemoryBuffer::getFile(json);
  llvm::Expected<llvm::json::Value> parsed =
      buffer ? llvm::json::parse((*buffer)->getBuffer())
             : llvm::Expected<llvm::json::Value>(
                   llvm::createStringError("cannot read " + json));
  if (!parsed) {
    llvm::errs() << "mmfree-bench: " << llvm::toString(parsed.takeError())
                 << "\n";
    return -1;
  }
  // The aggregate row "..._median" (or the single run), in its time unit.
  if (const llvm::json::Array *runs =
          parsed->getAsObject()->getArray("benchmarks"))
    for (const llvm::json::Value &run : *runs) {
      const llvm::json::Object *o = run.getAsObject();
      std::optional<llvm::StringRef> name = o->getString("name");
      std::optional<double> time = o->getNumber("real_time");
      std::optional<llvm::StringRef> unit = o->getString("time_unit");
      if (!name || !time || !unit ||
          (repetitions > 1 && !name->ends_with("_median")))
        continue;
      double scale = *unit == "ns" ? 1e-3 : *unit == "ms" ? 1e3 : 1;
      return *time * scale;
    }
  llvm::errs() << "mmfree-bench: no timing in " << json << "\n";
  return -1;
}

/// The ternary nn.Linear layers as an IREE user runs them: our rewrite and
/// mmfree-lower-to-linalg, then iree-compile (llvm-cpu, this CPU) and
/// iree-benchmark-module on one thread; next to our own kernels, our f32
/// path, IREE's f32 code for the same layer and OpenBLAS, in one run.
int ireeSuite(MLIRContext &context, const std::vector<Shape> &shapes,
              std::vector<Row> &rows) {
  if (ireeTools.empty()) {
    llvm::errs() << "mmfree-bench: --suite iree needs --iree-tools=<folder "
                    "of iree-compile> (the project's .venv/bin)\n";
    return 1;
  }
  llvm::SmallString<128> dir;
  if (llvm::sys::fs::createUniqueDirectory("mmfree-bench-iree", dir)) {
    llvm::errs() << "mmfree-bench: cannot create a temporary folder\n";
    return 1;
  }
  std::printf("%-16s %-40s %12s %12s %14s\n", "MxNxK", "strategy", "time (ms)",
              "x our f32", "x OpenBLAS 1T");
  for (const Shape &s : shapes) {
    std::mt19937 gen(1);
    std::normal_distribution<float> normal(0.f, 1.f);
    std::vector<int8_t> w(s.n * s.k);
    std::vector<float> wf(w.size()), x(s.m * s.k), y(s.m * s.n);
    for (size_t i = 0; i < w.size(); ++i)
      wf[i] = w[i] = int8_t(int(gen() % 3) - 1);
    for (float &v : x)
      v = normal(gen);
    OwningOpRef<ModuleOp> module =
        parseSourceString<ModuleOp>(linearModules(s, w), &context);
    if (!module)
      return 1;
    std::string d = dir.str().str(), xs = d + "/x.npy", ws = d + "/w.npy";
    std::string portable = d + "/portable.mlir", f32 = d + "/f32.mlir";
    std::string compile = ireeTools +
                          "/iree-compile --iree-hal-target-device=local "
                          "--iree-hal-local-target-device-backends=llvm-cpu "
                          "--iree-llvmcpu-target-cpu=host ";
    if (!writeNpy(xs, x, s.m, s.k) || !writeNpy(ws, wf, s.n, s.k) ||
        !writeLowered(*module,
                      "builtin.module(mmfree-matmul-to-ternary,"
                      "mmfree-lower-to-linalg)",
                      portable) ||
        !writeLowered(*module, "", f32) ||
        !runCommand(compile + portable + " -o " + portable + ".vmfb") ||
        !runCommand(compile + f32 + " -o " + f32 + ".vmfb"))
      return 1;
    double ireeTernary =
        ireeMedianMicros(d, portable + ".vmfb", "ternary", {xs});
    double ireeF32 = ireeMedianMicros(d, f32 + ".vmfb", "dense", {xs, ws});
    if (ireeTernary < 0 || ireeF32 < 0)
      return 1;

    std::unique_ptr<CompiledModule> ternary = mmfree::compile(
        *module, "ternary",
        "mmfree-matmul-to-ternary,mmfree-cpu-pipeline{target=host " +
            ternaryOptions + "}",
        compilation);
    std::unique_ptr<CompiledModule> dense = mmfree::compile(
        *module, "dense", "mmfree-cpu-pipeline{target=host}", compilation);
    auto ternaryFn =
        ternary
            ? reinterpret_cast<UnaryFn>(ternary->lookupCInterface("ternary"))
            : nullptr;
    auto denseFn =
        dense ? reinterpret_cast<BinaryFn>(dense->lookupCInterface("dense"))
              : nullptr;
    if (!ternaryFn || !denseFn)
      return 1;
    StridedMemRefType<float, 2> in = {
        x.data(), x.data(), 0, {s.m, s.k}, {s.k, 1}};
    StridedMemRefType<float, 2> weights = {
        wf.data(), wf.data(), 0, {s.n, s.k}, {s.k, 1}};
    std::vector<std::function<void()>> runs = {
        [&] {
          StridedMemRefType<float, 2> out;
          ternaryFn(&out, &in);
          free(out.basePtr);
        },
        [&] {
          StridedMemRefType<float, 2> out;
          denseFn(&out, &in, &weights);
          free(out.basePtr);
        },
        [&] {
          if (s.m == 1)
            cblas_sgemv(CblasRowMajor, CblasNoTrans, s.n, s.k, 1.f, wf.data(),
                        s.k, x.data(), 1, 0.f, y.data(), 1);
          else
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, s.m, s.n, s.k,
                        1.f, x.data(), s.k, wf.data(), s.k, 0.f, y.data(), s.n);
        }};
    std::vector<double> t =
        medianMicrosRoundRobin(runs, repetitions, /*warm=*/warmCalls);
    t.push_back(ireeTernary);
    t.push_back(ireeF32);
    std::string shape = std::to_string(s.m) + "x" + std::to_string(s.n) + "x" +
                        std::to_string(s.k);
    const char *names[] = {"ternary int8, mmfree kernels",
                           "f32 (mmfree-cpu-pipeline)",
                           s.m == 1 ? "OpenBLAS sgemv" : "OpenBLAS sgemm",
                           "ternary int8, portable in IREE", "f32 in IREE"};
    for (size_t i = 0; i < t.size(); ++i) {
      rows.emplace_back(shape, names[i], t[i], t[1] / t[i], t[2] / t[i]);
      std::printf("%-16s %-40s %12.3f %11.2fx %13.2fx\n", shape.c_str(),
                  names[i], t[i] / 1000, t[1] / t[i], t[2] / t[i]);
    }
  }
  llvm::sys::fs::remove_directories(dir);
  return 0;
}

/// `module` (@matmul) through `rewrite`, then returning the averages or sums
/// of its mmfree.lut_matmul instead of the f32 result: encode + lookup alone,
/// the measure of MADDNESS's paper and of bolt's kernels, whose outputs are
/// these integers (the rescale into f32, now dead, goes in the pipeline).
/// Null after printing an error.
OwningOpRef<ModuleOp> encodeLookupModule(ModuleOp module,
                                         llvm::StringRef rewrite) {
  OwningOpRef<ModuleOp> clone(module.clone());
  PassManager pm(module.getContext());
  if (failed(parsePassPipeline(rewrite, pm)) || failed(pm.run(*clone))) {
    llvm::errs() << "mmfree-bench: " << rewrite << " failed\n";
    return nullptr;
  }
  auto func = clone->lookupSymbol<func::FuncOp>("matmul");
  LutMatmulOp lookups;
  func.walk([&](LutMatmulOp op) { lookups = op; });
  if (!lookups) {
    llvm::errs() << "mmfree-bench: " << rewrite << " made no lut_matmul\n";
    return nullptr;
  }
  Operation *ret = func.getBody().front().getTerminator();
  ret->setOperands(lookups.getResult());
  func.setType(FunctionType::get(module.getContext(),
                                 func.getFunctionType().getInputs(),
                                 lookups.getResult().getType()));
  return clone;
}

/// MADDNESS: encode + lookup (+ rescale) of N rows against OpenBLAS sgemm
/// and our f32 path on the same constant-weight matmul, 16 codebooks
/// learned from 2,000 N(0, 1) calibration rows.
int lutSuite(MLIRContext &context, const std::vector<Shape> &shapes,
             std::vector<Row> &rows) {
  std::printf("%-18s %-30s %12s %14s %14s\n", "NxMxD", "strategy", "time (ms)",
              "x our f32", "x OpenBLAS");
  for (const Shape &s : shapes) {
    std::mt19937 gen(1);
    std::normal_distribution<float> normal(0.f, 1.f);
    std::vector<float> a(s.m * s.k), b(s.k * s.n), c(s.m * s.n),
        calib(2000 * s.k);
    for (std::vector<float> *v : {&a, &b, &calib})
      for (float &x : *v)
        x = normal(gen);
    std::string npy = "/tmp/mmfree-bench-calib-" + std::to_string(s.k) + ".npy";
    if (!writeNpy(npy, calib, 2000, s.k))
      return 1;
    std::vector<float> aT(s.k * s.m);
    for (int64_t i = 0; i < s.m; ++i)
      for (int64_t j = 0; j < s.k; ++j)
        aT[j * s.m + i] = a[i * s.k + j];
    OwningOpRef<ModuleOp> rowMajor =
        parseSourceString<ModuleOp>(constantWeightModule(s, b), &context);
    OwningOpRef<ModuleOp> columnMajor = parseSourceString<ModuleOp>(
        constantWeightModule(s, b, /*columnMajorA=*/true), &context);
    if (!rowMajor || !columnMajor)
      return 1;
    std::string lut =
        "mmfree-matmul-to-lut{calibration=" + npy + " codebooks=16";
    OwningOpRef<ModuleOp> encodeLookup =
        encodeLookupModule(*columnMajor, lut + " accumulation=average}");
    if (!encodeLookup)
      return 1;
    struct LutStrategy {
      std::string name, pipeline;
      bool columnMajorA;
      ModuleOp module = nullptr; // rowMajor or columnMajor if null
    };
    const LutStrategy strategies[] = {
        {"f32 (mmfree-cpu-pipeline)", "mmfree-cpu-pipeline{target=host}",
         false},
        {"lut exact, 16 codebooks", lut + "},mmfree-cpu-pipeline{target=host}",
         false},
        {"lut average, 16 codebooks",
         lut + " accumulation=average},mmfree-cpu-pipeline{target=host}",
         false},
        {"lut exact, column-major A",
         lut + "},mmfree-cpu-pipeline{target=host}", true},
        {"lut average, column-major A",
         lut + " accumulation=average},mmfree-cpu-pipeline{target=host}", true},
        {"lut exact, col-major, 2 thr.",
         lut + "},mmfree-cpu-pipeline{target=host threads=2}", true},
        {"lut average, col-major, 2 thr.",
         lut + " accumulation=average},mmfree-cpu-pipeline{target=host "
               "threads=2}",
         true},
        {"encode + lookup, u8 averages", "mmfree-cpu-pipeline{target=host}",
         true, *encodeLookup},
    };
    std::vector<std::unique_ptr<CompiledModule>> engines;
    std::vector<std::function<void()>> runs;
    // A in 2 MB pages, as the streamed weights (the encode reads 64 columns
    // 40+ KB apart: with 4 KB pages, 64 TLB entries per row block).
    PagedCopies rowMajorA(a.data(), a.size() * sizeof(float), 1),
        columnMajorA(aT.data(), aT.size() * sizeof(float), 1);
    float *ap = rowMajorA.copy<float>(0), *aTp = columnMajorA.copy<float>(0);
    StridedMemRefType<float, 2> in = {ap, ap, 0, {s.m, s.k}, {s.k, 1}};
    StridedMemRefType<float, 2> inT = {aTp, aTp, 0, {s.k, s.m}, {s.m, 1}};
    for (const LutStrategy &strategy : strategies) {
      ModuleOp module = strategy.module         ? strategy.module
                        : strategy.columnMajorA ? *columnMajor
                                                : *rowMajor;
      engines.push_back(
          compile(module, "matmul", strategy.pipeline, compilation));
      auto fn = engines.back() ? reinterpret_cast<UnaryFn>(
                                     engines.back()->lookupCInterface("matmul"))
                               : nullptr;
      if (!fn)
        return 1;
      StridedMemRefType<float, 2> *arg = strategy.columnMajorA ? &inT : &in;
      runs.emplace_back([fn, arg] {
        // (For the u8 averages only basePtr is read: the same layout.)
        StridedMemRefType<float, 2> out;
        fn(&out, arg);
        free(out.basePtr);
      });
    }
    auto sgemm = [&](int threads) {
      return [&, threads] {
        openblas_set_num_threads(threads);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s.m, s.n, s.k,
                    1.f, ap, s.k, b.data(), s.n, 0.f, c.data(), s.n);
        openblas_set_num_threads(1);
      };
    };
    runs.emplace_back(sgemm(1));
    runs.emplace_back(sgemm(2));
    std::vector<bool> threaded;
    for (const LutStrategy &strategy : strategies)
      threaded.push_back(strategy.pipeline.find("threads=2") !=
                         std::string::npos);
    threaded.insert(threaded.end(), {false, true});
    std::vector<double> times =
        medianMicrosRoundRobin(runs, repetitions, /*warm=*/warmCalls, threaded);
    std::string shape = std::to_string(s.m) + "x" + std::to_string(s.n) + "x" +
                        std::to_string(s.k);
    const size_t blas = runs.size() - 2;
    for (size_t i = 0; i < runs.size(); ++i) {
      std::string name = i < blas    ? strategies[i].name
                         : i == blas ? "OpenBLAS sgemm (1 thread)"
                                     : "OpenBLAS sgemm (2 threads)";
      rows.emplace_back(shape, name, times[i], times[0] / times[i],
                        times[blas] / times[i]);
      std::printf("%-18s %-30s %12.3f %13.3fx %13.3fx\n", shape.c_str(),
                  name.c_str(), times[i] / 1000, times[0] / times[i],
                  times[blas] / times[i]);
    }
  }
  return 0;
}

/// L-Mul matmuls on runtime operands in each float format against our f32
/// path and OpenBLAS sgemm.
int lmulSuite(MLIRContext &context, const std::vector<Shape> &shapes,
              std::vector<Row> &rows) {
  using F = numerics::FloatFormat;
  const std::vector<Strategy> strategies = {
      {"f32 (mmfree-cpu-pipeline)", F::F32, "mmfree-cpu-pipeline{target=host}"},
      {"lmul f32 k=23", F::F32,
       "mmfree-matmul-to-lmul,mmfree-cpu-pipeline{target=host}"},
      {"lmul bf16 k=7", F::BF16,
       "mmfree-matmul-to-lmul,mmfree-cpu-pipeline{target=host}"},
      {"lmul f8E4M3FN k=3", F::F8E4M3FN,
       "mmfree-matmul-to-lmul,mmfree-cpu-pipeline{target=host}"},
  };
  std::printf("%-16s %-28s %12s %10s %14s %14s\n", "shape", "strategy",
              "time (ms)", "GOP/s", "x our f32", "x OpenBLAS");
  for (const Shape &s : shapes) {
    std::mt19937 gen(1);
    std::normal_distribution<float> normal(0.f, 1.f);
    std::vector<float> a(s.m * s.k), b(s.k * s.n), c(s.m * s.n);
    for (float &v : a)
      v = normal(gen);
    for (float &v : b)
      v = normal(gen);
    // Compile everything first, then time round-robin, one call of each
    // strategy per round, so that machine noise hits all of them alike.
    std::vector<std::function<void()>> runs;
    std::vector<std::unique_ptr<CompiledModule>> engines;
    std::vector<std::vector<uint8_t>> buffers;
    std::vector<StridedMemRefType<uint8_t, 2>> views;
    buffers.reserve(2 * strategies.size());
    views.reserve(2 * strategies.size());
    for (const Strategy &st : strategies) {
      std::string source = matmulModule(
          s, st.format == F::F32 ? "f32" : numerics::formatName(st.format));
      OwningOpRef<ModuleOp> module =
          parseSourceString<ModuleOp>(source, &context);
      std::unique_ptr<CompiledModule> engine =
          module ? compile(*module, "matmul", st.pipeline, compilation)
                 : nullptr;
      auto fn =
          engine
              ? reinterpret_cast<MatmulFn>(engine->lookupCInterface("matmul"))
              : nullptr;
      if (!fn)
        return 1;
      engines.push_back(std::move(engine));
      buffers.push_back(encodeAll(a, st.format));
      views.push_back(view(buffers.back(), s.m, s.k));
      buffers.push_back(encodeAll(b, st.format));
      views.push_back(view(buffers.back(), s.k, s.n));
      StridedMemRefType<uint8_t, 2> *va = &views[views.size() - 2],
                                    *vb = &views.back();
      runs.emplace_back([fn, va, vb] {
        StridedMemRefType<float, 2> out;
        fn(&out, va, vb);
        free(out.basePtr);
      });
    }
    runs.emplace_back([&] {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s.m, s.n, s.k, 1.f,
                  a.data(), s.k, b.data(), s.n, 0.f, c.data(), s.n);
    });
    std::vector<double> times = medianMicrosRoundRobin(runs, repetitions);
    std::string shapeName = std::to_string(s.m) + "x" + std::to_string(s.n) +
                            "x" + std::to_string(s.k);
    double ops = 2.0 * s.m * s.n * s.k;
    double ownF32 = times.front(), blas = times.back();
    auto report = [&](const std::string &name, double t) {
      rows.emplace_back(shapeName, name, t, ownF32 / t, blas / t);
      std::printf("%-16s %-28s %12.3f %10.2f %13.3fx %13.3fx\n",
                  shapeName.c_str(), name.c_str(), t / 1000, ops / t / 1000,
                  ownF32 / t, blas / t);
    };
    for (size_t i = 0; i < strategies.size(); ++i)
      report(strategies[i].name, times[i]);
    report("OpenBLAS sgemm (1 thread)", blas);
  }
  return 0;
}

/// OpenBLAS 0.3.21 does not recognise every x86 CPU it runs on and then
/// falls back to its SSE3 (Prescott) kernels, a third of its AVX-512 speed;
/// an inherited OPENBLAS_CORETYPE may also name a weaker family than the host
/// runs (Haswell on an AVX-512 machine: half the sgemm speed), which would
/// flatter every ratio. Use the family of the host's features, or the one
/// --openblas-core names (OpenBLAS reads the variable when it loads, so
/// re-execute with it set).
static void selectOpenBlasCore(int argc, char **argv) {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  std::string core = features.lookup("avx512f")  ? "SkylakeX"
                     : features.lookup("avx2")   ? "Haswell"
                     : features.lookup("sse4.2") ? "Nehalem"
                                                 : "";
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg = argv[i];
    if (arg.consume_front("--openblas-core=") ||
        arg.consume_front("-openblas-core="))
      core = arg.str();
  }
  const char *inherited = std::getenv("OPENBLAS_CORETYPE");
  if (core.empty() || (inherited && core == inherited))
    return;
  setenv("OPENBLAS_CORETYPE", core.c_str(), 1);
  execv("/proc/self/exe", argv);
}

int main(int argc, char **argv) {
  selectOpenBlasCore(argc, argv);
  llvm::InitLLVM init(argc, argv);
  initializeTools();
  llvm::cl::HideUnrelatedOptions(benchCategory);
  llvm::cl::ParseCommandLineOptions(argc, argv, "mmfree benchmark\n");
  openblas_set_num_threads(1);
  std::printf("OpenBLAS kernels: %s (OPENBLAS_CORETYPE=%s)\n",
              openblas_get_corename(), std::getenv("OPENBLAS_CORETYPE"));
  std::unique_ptr<MLIRContext> context = createToolContext();

  std::vector<Shape> list;
  for (const std::string &s : shapes) {
    Shape sh;
    if (std::sscanf(s.c_str(), "%ldx%ldx%ld", &sh.m, &sh.n, &sh.k) != 3) {
      llvm::errs() << "mmfree-bench: bad --shape '" << s << "'\n";
      return 1;
    }
    list.push_back(sh);
  }

  if (suite != "lut" && suite != "ternary" && suite != "iree" &&
      suite != "lmul") {
    llvm::errs() << "mmfree-bench: unknown --suite '" << suite << "'\n";
    return 1;
  }
  if (list.empty())
    list = suite == "lut"
               ? std::vector<Shape>{{10000, 10, 512}, {10000, 100, 512}}
           : suite == "ternary" ? std::vector<Shape>{{1, 4096, 4096},
                                                     {1, 11008, 4096},
                                                     {64, 4096, 4096},
                                                     {256, 4096, 4096}}
           : suite == "iree"
               ? std::vector<Shape>{{1, 4096, 4096}, {64, 4096, 4096}}
               : std::vector<Shape>{{512, 512, 512}};
  std::vector<std::string> protocols = {protocol};
  if (protocol == "both")
    protocols = {"jit-warm", "aot-cold"};
  std::vector<Row> rows;
  for (const std::string &name : protocols) {
    if (name != "jit-warm" && name != "aot-cold") {
      llvm::errs() << "mmfree-bench: unknown --protocol '" << name << "'\n";
      return 1;
    }
    protocolName = name;
    compilation =
        name == "aot-cold" ? Compilation::AheadOfTime : Compilation::Jit;
    warmCalls = name == "jit-warm";
    std::printf("protocol: %s\n", name.c_str());
    int rc = suite == "lut"       ? lutSuite(*context, list, rows)
             : suite == "ternary" ? ternarySuite(*context, list, rows)
             : suite == "iree"    ? ireeSuite(*context, list, rows)
                                  : lmulSuite(*context, list, rows);
    if (rc != 0)
      return rc;
  }
  return writeOutputs(rows) ? 0 : 1;
}
