//===- mmfree-accuracy.cpp - accuracy of L-Mul against exact products -----===//
//
// Prints Markdown tables for the README from lib/Numerics alone:
//  1. relative error of one L-Mul per format and k, next to exact f8E4M3FN
//     and f8E5M2 multiplication (product rounded to the format), on the
//     same N(0,1) inputs;
//  2. the error of an M x N x K L-Mul matmul (f32 sums) against the f32
//     matmul of the same f32 inputs.
//
//===----------------------------------------------------------------------===//

#include "mmfree/Numerics/LMul.h"

#include "llvm/Support/CommandLine.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace mmfree::numerics;

static llvm::cl::OptionCategory accuracyCategory("mmfree-accuracy options");
static llvm::cl::opt<int64_t>
    size(llvm::cl::Positional,
         llvm::cl::desc("<size: M = N = K of the matmul table, 1 to 4096>"),
         llvm::cl::init(512), llvm::cl::cat(accuracyCategory));

namespace {

struct Method {
  std::string name;
  FloatFormat format;
  unsigned k; // L-Mul mantissa bits; 0: exact product rounded to format
};

} // namespace

/// The product of two values already representable in `m.format`.
static double product(const Method &m, uint32_t x, uint32_t y) {
  if (m.k)
    return decode(m.format, lmulBits(m.format, m.k, x, y));
  return decode(m.format,
                encode(m.format, decode(m.format, x) * decode(m.format, y)));
}

static const std::vector<Method> &methods() {
  static const std::vector<Method> list = {
      {"L-Mul f32 k=23", FloatFormat::F32, 23},
      {"L-Mul f32 k=7", FloatFormat::F32, 7},
      {"L-Mul f32 k=4", FloatFormat::F32, 4},
      {"L-Mul f32 k=3", FloatFormat::F32, 3},
      {"L-Mul f32 k=2", FloatFormat::F32, 2},
      {"L-Mul bf16 k=7", FloatFormat::BF16, 7},
      {"L-Mul f16 k=10", FloatFormat::F16, 10},
      {"L-Mul f8E4M3FN k=3", FloatFormat::F8E4M3FN, 3},
      {"L-Mul f8E5M2 k=2", FloatFormat::F8E5M2, 2},
      {"f8E4M3FN multiply (RNE)", FloatFormat::F8E4M3FN, 0},
      {"f8E5M2 multiply (RNE)", FloatFormat::F8E5M2, 0},
  };
  return list;
}

static void productTable(int64_t samples) {
  std::printf("| method | mean rel. error of the product | max rel. error | "
              "mean rel. error vs exact f32 x*y | flushed / saturated |\n"
              "|---|---|---|---|---|\n");
  std::mt19937_64 gen(7);
  std::normal_distribution<float> normal(0.f, 1.f);
  std::vector<std::pair<float, float>> inputs(samples);
  for (auto &p : inputs)
    p = {normal(gen), normal(gen)};
  for (const Method &m : methods()) {
    double sumOp = 0, maxOp = 0, sumEnd = 0;
    int64_t counted = 0, lost = 0;
    for (auto [fx, fy] : inputs) {
      uint32_t x = encode(m.format, fx), y = encode(m.format, fy);
      double exactOp = decode(m.format, x) * decode(m.format, y);
      double exactEnd = double(fx) * double(fy);
      double got = product(m, x, y);
      if (exactOp == 0 || exactEnd == 0)
        continue;
      if (got == 0 || std::isinf(got) ||
          std::fabs(got) == decode(m.format, formatInfo(m.format).maxFinite)) {
        ++lost; // flushed to zero or saturated: reported, not averaged
        continue;
      }
      double op = std::fabs(got - exactOp) / std::fabs(exactOp);
      sumOp += op;
      maxOp = std::max(maxOp, op);
      sumEnd += std::fabs(got - exactEnd) / std::fabs(exactEnd);
      ++counted;
    }
    std::printf("| %s | %.3f%% | %.3f%% | %.3f%% | %.3f%% |\n", m.name.c_str(),
                100 * sumOp / counted, 100 * maxOp, 100 * sumEnd / counted,
                100.0 * lost / (counted + lost));
  }
}

static void matmulTable(int64_t m, int64_t n, int64_t depth) {
  std::printf("\n| method (%lldx%lldx%lld, f32 sums) | rel. Frobenius error "
              "vs f32 matmul | mean abs. error / mean abs. value |\n"
              "|---|---|---|\n",
              (long long)m, (long long)n, (long long)depth);
  std::mt19937_64 gen(11);
  std::normal_distribution<float> normal(0.f, 1.f);
  std::vector<float> a(m * depth), b(depth * n);
  for (float &v : a)
    v = normal(gen);
  for (float &v : b)
    v = normal(gen);
  // The f32 result (summed in double, then rounded to f32).
  std::vector<float> ref(m * n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double s = 0;
      for (int64_t p = 0; p < depth; ++p)
        s += double(a[i * depth + p]) * b[p * n + j];
      ref[i * n + j] = float(s);
    }
  for (const Method &meth : methods()) {
    std::vector<uint32_t> ea(a.size()), eb(b.size());
    for (size_t i = 0; i < a.size(); ++i)
      ea[i] = encode(meth.format, a[i]);
    for (size_t i = 0; i < b.size(); ++i)
      eb[i] = encode(meth.format, b[i]);
    std::vector<float> c(m * n), zero(m * n, 0.f);
    if (meth.k) {
      lmulMatmul(meth.format, meth.k, ea.data(), eb.data(), zero.data(), m, n,
                 depth, c.data());
    } else {
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          float s = 0;
          for (int64_t p = 0; p < depth; ++p)
            s += float(product(meth, ea[i * depth + p], eb[p * n + j]));
          c[i * n + j] = s;
        }
    }
    double err2 = 0, ref2 = 0, errAbs = 0, refAbs = 0;
    for (int64_t i = 0; i < m * n; ++i) {
      double d = double(c[i]) - ref[i];
      err2 += d * d;
      ref2 += double(ref[i]) * ref[i];
      errAbs += std::fabs(d);
      refAbs += std::fabs(ref[i]);
    }
    std::printf("| %s | %.4f%% | %.4f%% |\n", meth.name.c_str(),
                100 * std::sqrt(err2 / ref2), 100 * errAbs / refAbs);
  }
}

int main(int argc, char **argv) {
  llvm::cl::HideUnrelatedOptions(accuracyCategory);
  llvm::cl::ParseCommandLineOptions(
      argc, argv, "accuracy of L-Mul against exact products (Markdown)\n");
  if (size < 1 || size > 4096) {
    std::fprintf(stderr,
                 "mmfree-accuracy: size must be in [1, 4096], got %lld\n",
                 static_cast<long long>(size));
    return 1;
  }
  productTable(1'000'000);
  matmulTable(size, size, size);
  return 0;
}
