//===- MMFreeRuntime.cpp - helpers for execution tests under mlir-runner --===//
//
// C-interface functions that execution tests call from MLIR: deterministic
// random inputs, and checks of a compiled kernel's output against the
// reference semantics in lib/Numerics. A check prints one line starting with
// "mmfree-check: PASS" or "mmfree-check: FAIL" for FileCheck.
//
//===----------------------------------------------------------------------===//

#include "mmfree/Numerics/LMul.h"
#include "mmfree/Numerics/Maddness.h"
#include "mmfree/Numerics/Ternary.h"

#include "mlir/ExecutionEngine/CRunnerUtils.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

using namespace mmfree::numerics;

namespace {

/// A contiguous view of a memref; aborts the test on a strided one.
template <typename T> struct Dense {
  T *data;
  std::vector<int64_t> sizes;
  int64_t size() const {
    int64_t s = 1;
    for (int64_t d : sizes)
      s *= d;
    return s;
  }
};

} // namespace

template <typename T> static Dense<T> view(UnrankedMemRefType<T> *m) {
  DynamicMemRefType<T> d(*m);
  Dense<T> out{d.data + d.offset, {}};
  int64_t expected = 1;
  for (int64_t i = d.rank - 1; i >= 0; --i) {
    if (d.strides[i] != expected && d.sizes[i] != 1) {
      std::fprintf(stderr, "mmfree-runtime: memref is not contiguous\n");
      std::abort();
    }
    expected *= d.sizes[i];
  }
  out.sizes.assign(d.sizes, d.sizes + d.rank);
  return out;
}

/// The matmul weights as N x K floats, from K x N (layout 0) or N x K.
template <typename T>
static std::vector<float> weightsNK(const Dense<T> &w, int64_t layout,
                                    int64_t &n, int64_t &k) {
  bool nk = layout == 1;
  n = w.sizes[nk ? 0 : 1];
  k = w.sizes[nk ? 1 : 0];
  std::vector<float> out(n * k);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < k; ++c)
      out[r * k + c] =
          static_cast<float>(nk ? w.data[r * k + c] : w.data[c * n + r]);
  return out;
}

template <typename T>
static void checkTernary(UnrankedMemRefType<float> *xRef,
                         UnrankedMemRefType<T> *wRef,
                         UnrankedMemRefType<float> *initRef,
                         UnrankedMemRefType<float> *yRef, int64_t layout,
                         int64_t floatActivations, int64_t perChannel) {
  Dense<float> x = view(xRef), init = view(initRef), y = view(yRef);
  Dense<T> w = view(wRef);
  int64_t n, k, m = x.sizes[0];
  std::vector<float> wNK = weightsNK(w, layout, n, k);
  TernaryWeights t = ternarize(wNK.data(), n, k,
                               perChannel ? ScaleGranularity::PerChannel
                                          : ScaleGranularity::PerTensor);
  std::vector<float> ref(m * n);
  if (floatActivations)
    ternaryMatmulFloat(x.data, m, t, ref.data());
  else
    ternaryMatmulInt8(x.data, m, t, ref.data());
  double worst = 0;
  for (int64_t r = 0; r < m; ++r)
    for (int64_t c = 0; c < n; ++c) {
      float expected = ref[r * n + c] + init.data[r * n + c];
      float got = y.data[r * n + c];
      bool ok;
      if (floatActivations) {
        // Reordered f32 summation: |err| <= 2 K u sum|x| s (u = 2^-24),
        // plus one rounding each for the scale and the init add.
        double absSum = 0;
        for (int64_t i = 0; i < k; ++i)
          absSum += std::fabs(x.data[r * k + i]);
        float s = t.scales.size() == 1 ? t.scales[0] : t.scales[c];
        double bound = (2.0 * k + 4) * std::ldexp(1.0, -24) *
                           (absSum * s + std::fabs(init.data[r * n + c])) +
                       1e-30;
        double err = std::fabs(double(got) - double(expected));
        worst = std::max(worst, err / bound);
        ok = err <= bound;
      } else {
        ok = std::memcmp(&got, &expected, sizeof(float)) == 0;
      }
      if (!ok) {
        std::printf("mmfree-check: FAIL at (%" PRId64 ", %" PRId64
                    "): got %.9g expected %.9g\n",
                    r, c, got, expected);
        std::fflush(stdout);
        return;
      }
    }
  std::printf("mmfree-check: PASS m=%" PRId64 " n=%" PRId64 " k=%" PRId64
              " mode=%s%s\n",
              m, n, k, floatActivations ? "float" : "int8 bit-exact",
              floatActivations
                  ? (" worst_error/bound=" + std::to_string(worst)).c_str()
                  : "");
  std::fflush(stdout);
}

/// Plain f32 matmul y = init + x W^T against a double reference, within
/// the reordered-summation bound 2 K u sum|x w| (u = 2^-24).
template <typename T>
static void checkMatmul(UnrankedMemRefType<float> *xRef,
                        UnrankedMemRefType<T> *wRef,
                        UnrankedMemRefType<float> *initRef,
                        UnrankedMemRefType<float> *yRef, int64_t layout) {
  Dense<float> x = view(xRef), init = view(initRef), y = view(yRef);
  Dense<T> w = view(wRef);
  int64_t n, k, m = x.sizes[0];
  std::vector<float> wNK = weightsNK(w, layout, n, k);
  for (int64_t r = 0; r < m; ++r)
    for (int64_t c = 0; c < n; ++c) {
      double sum = init.data[r * n + c], absSum = std::fabs(sum);
      for (int64_t i = 0; i < k; ++i) {
        double p = double(x.data[r * k + i]) * wNK[c * k + i];
        sum += p;
        absSum += std::fabs(p);
      }
      double bound = (2.0 * k + 2) * std::ldexp(1.0, -24) * absSum + 1e-30;
      if (std::fabs(y.data[r * n + c] - sum) > bound) {
        std::printf("mmfree-check: FAIL at (%" PRId64 ", %" PRId64
                    "): got %.9g expected %.9g\n",
                    r, c, y.data[r * n + c], sum);
        std::fflush(stdout);
        return;
      }
    }
  std::printf("mmfree-check: PASS m=%" PRId64 " n=%" PRId64 " k=%" PRId64
              " mode=f32 matmul\n",
              m, n, k);
  std::fflush(stdout);
}

static FloatFormat formatFromId(int64_t id) {
  return static_cast<FloatFormat>(id);
}

/// Random bit patterns of `format` as inputs for L-Mul tests, signs mixed.
/// mode 0: mostly normals within 2^-8..2^8, and 1 in 32 each of zeros,
/// subnormals, values near the largest finite and near the smallest normal;
/// mode 1: the same plus 1 in 64 each of inf and NaN; mode 2: normals within
/// 2^-2..2^2 and 1 in 32 each of zeros and subnormals, so that no product
/// overflows or underflows; mode 3: mode 0 without the values near the
/// largest finite, so that products can underflow but not overflow.
template <typename T>
static void fillRandomBits(UnrankedMemRefType<T> *ref, int64_t seed, int64_t id,
                           int64_t mode) {
  FloatFormat f = formatFromId(id);
  FormatInfo fi = formatInfo(f);
  Dense<T> d = view(ref);
  std::mt19937_64 gen(seed);
  uint32_t signBit = 1u << (fi.bits - 1);
  uint32_t mantMask = (1u << fi.mantissa) - 1;
  for (int64_t i = 0; i < d.size(); ++i) {
    uint64_t r = gen();
    uint32_t sign = (r & 1) ? signBit : 0, mant = uint32_t(r >> 8) & mantMask;
    unsigned pick = unsigned(r >> 40) % 64;
    // 2^-8 .. 2^8 (2^-2 .. 2^2 in mode 2), within the normal range.
    int spread = mode == 2 ? 2 : 8;
    int exp = std::max(fi.bias + int((r >> 48) % (2 * spread + 1)) - spread, 1);
    uint32_t bits =
        std::min((uint32_t(exp) << fi.mantissa) | mant, fi.maxFinite);
    if (pick < 2)
      bits = 0;
    else if (pick < 4)
      bits = mant ? mant : 1; // subnormal
    else if (mode != 2 && mode != 3 && pick < 6)
      bits = fi.maxFinite - (mant & 7);
    else if (mode != 2 && pick < 8)
      bits = (1u << fi.mantissa) | mant; // smallest binade
    else if (mode == 1 && pick == 8)
      bits = fi.hasInf ? fi.maxFinite + 1 : fi.nan;
    else if (mode == 1 && pick == 9)
      bits = fi.nan;
    d.data[i] = T(sign | bits);
  }
}

static bool sameF32(float got, float want) {
  if (std::isnan(got) || std::isnan(want))
    return std::isnan(got) && std::isnan(want);
  return std::memcmp(&got, &want, sizeof(float)) == 0;
}

template <typename T>
static void checkLMulMatmul(UnrankedMemRefType<T> *aRef,
                            UnrankedMemRefType<T> *bRef,
                            UnrankedMemRefType<float> *initRef,
                            UnrankedMemRefType<float> *yRef, int64_t id,
                            int64_t k, int64_t transposed) {
  FloatFormat f = formatFromId(id);
  Dense<T> a = view(aRef), b = view(bRef);
  Dense<float> init = view(initRef), y = view(yRef);
  int64_t m = a.sizes[0], depth = a.sizes[1];
  int64_t n = transposed ? b.sizes[0] : b.sizes[1];
  std::vector<uint32_t> aBits(a.data, a.data + a.size()), bKN(depth * n);
  for (int64_t p = 0; p < depth; ++p)
    for (int64_t j = 0; j < n; ++j)
      bKN[p * n + j] = transposed ? b.data[j * depth + p] : b.data[p * n + j];
  std::vector<float> ref(m * n);
  lmulMatmul(f, unsigned(k), aBits.data(), bKN.data(), init.data, m, n, depth,
             ref.data());
  int64_t nans = 0;
  for (int64_t i = 0; i < m * n; ++i) {
    nans += std::isnan(ref[i]);
    if (!sameF32(y.data[i], ref[i])) {
      std::printf("mmfree-check: FAIL at (%" PRId64 ", %" PRId64
                  "): got %.9g expected %.9g\n",
                  i / n, i % n, y.data[i], ref[i]);
      std::fflush(stdout);
      return;
    }
  }
  std::printf("mmfree-check: PASS lmul_matmul %s k=%" PRId64 " m=%" PRId64
              " n=%" PRId64 " depth=%" PRId64 " bit-exact (%" PRId64
              " NaN outputs)\n",
              formatName(f), k, m, n, depth, nans);
  std::fflush(stdout);
}

template <typename T>
static void checkLMul(UnrankedMemRefType<T> *xRef, UnrankedMemRefType<T> *yRef,
                      UnrankedMemRefType<T> *zRef, int64_t id, int64_t k) {
  FloatFormat f = formatFromId(id);
  Dense<T> x = view(xRef), y = view(yRef), z = view(zRef);
  for (int64_t i = 0; i < x.size(); ++i) {
    T want = T(lmulBits(f, unsigned(k), x.data[i], y.data[i]));
    if (z.data[i] != want) {
      std::printf("mmfree-check: FAIL at %" PRId64 ": lmul(0x%x, 0x%x) got "
                  "0x%x expected 0x%x\n",
                  i, unsigned(x.data[i]), unsigned(y.data[i]),
                  unsigned(z.data[i]), unsigned(want));
      std::fflush(stdout);
      return;
    }
  }
  std::printf("mmfree-check: PASS lmul %s k=%" PRId64 " %" PRId64
              " products bit-exact\n",
              formatName(f), k, x.size());
  std::fflush(stdout);
}

/// Re-learns the MADDNESS model the rewrite learned (same calibration rows,
/// same weights, deterministic), applies it to x and compares every output
/// bit.
static void checkLut(UnrankedMemRefType<float> *xRef,
                     UnrankedMemRefType<float> *wRef,
                     UnrankedMemRefType<float> *calibRef,
                     UnrankedMemRefType<float> *initRef,
                     UnrankedMemRefType<float> *yRef, int64_t layout,
                     int64_t codebooks, int64_t average) {
  Dense<float> x = view(xRef), w = view(wRef), calib = view(calibRef),
               init = view(initRef), y = view(yRef);
  int64_t n, k, m = x.sizes[0];
  std::vector<float> wNK = weightsNK(w, layout, n, k);
  std::vector<float> b(k * n);
  for (int64_t r = 0; r < k; ++r)
    for (int64_t c = 0; c < n; ++c)
      b[r * n + c] = wNK[c * k + r];
  MaddnessModel model =
      learnMaddness(calib.data, calib.sizes[0], k, b.data(), n, codebooks);
  std::vector<uint8_t> codes(m * codebooks);
  encodeMaddness(model, x.data, m, codes.data());
  std::vector<float> ref(m * n);
  if (average) {
    std::vector<uint8_t> avgs(m * n);
    lutAverage(model.tables, codes.data(), m, avgs.data());
    dequantizeAverages(model.tables, avgs.data(), m, ref.data());
  } else {
    std::vector<uint16_t> sums(m * n);
    lutAccumulate(model.tables, codes.data(), m, sums.data());
    dequantizeSums(model.tables, sums.data(), m, ref.data());
  }
  double err = 0, norm = 0;
  for (int64_t i = 0; i < m * n; ++i) {
    float want = ref[i] + init.data[i];
    if (!sameF32(y.data[i], want)) {
      std::printf("mmfree-check: FAIL at (%" PRId64 ", %" PRId64
                  "): got %.9g expected %.9g\n",
                  i / n, i % n, y.data[i], want);
      std::fflush(stdout);
      return;
    }
    // Error of the approximation against the exact product, for the log.
    double exact = init.data[i];
    for (int64_t j = 0; j < k; ++j)
      exact += double(x.data[(i / n) * k + j]) * wNK[(i % n) * k + j];
    err += (want - exact) * (want - exact);
    norm += exact * exact;
  }
  std::printf("mmfree-check: PASS lut m=%" PRId64 " n=%" PRId64 " k=%" PRId64
              " codebooks=%" PRId64 " %s bit-exact (rel. error vs exact "
              "product %.3f)\n",
              m, n, k, codebooks, average ? "average" : "exact",
              std::sqrt(err / norm));
  std::fflush(stdout);
}

extern "C" {

/// Fills a contiguous f32 memref with N(0, 1) values from `seed`, with about
/// 1 in 16 exact zeros and 1 in 64 values scaled by 100.
void _mlir_ciface_mmfreeFillRandomF32(UnrankedMemRefType<float> *m,
                                      int64_t seed) {
  Dense<float> d = view(m);
  std::mt19937_64 gen(seed);
  std::normal_distribution<float> normal(0.f, 1.f);
  for (int64_t i = 0; i < d.size(); ++i) {
    uint64_t r = gen();
    float v = normal(gen);
    d.data[i] = (r % 16 == 0) ? 0.f : (r % 64 == 1) ? v * 100.f : v;
  }
}

void _mlir_ciface_mmfreeCheckTernaryF32(
    UnrankedMemRefType<float> *x, UnrankedMemRefType<float> *w,
    UnrankedMemRefType<float> *init, UnrankedMemRefType<float> *y,
    int64_t layout, int64_t floatActivations, int64_t perChannel) {
  checkTernary(x, w, init, y, layout, floatActivations, perChannel);
}

void _mlir_ciface_mmfreeCheckTernaryI8(UnrankedMemRefType<float> *x,
                                       UnrankedMemRefType<int8_t> *w,
                                       UnrankedMemRefType<float> *init,
                                       UnrankedMemRefType<float> *y,
                                       int64_t layout, int64_t floatActivations,
                                       int64_t perChannel) {
  checkTernary(x, w, init, y, layout, floatActivations, perChannel);
}

void _mlir_ciface_mmfreeCheckMatmulF32(UnrankedMemRefType<float> *x,
                                       UnrankedMemRefType<float> *w,
                                       UnrankedMemRefType<float> *init,
                                       UnrankedMemRefType<float> *y,
                                       int64_t layout, int64_t, int64_t) {
  checkMatmul(x, w, init, y, layout);
}

void _mlir_ciface_mmfreeCheckMatmulI8(UnrankedMemRefType<float> *x,
                                      UnrankedMemRefType<int8_t> *w,
                                      UnrankedMemRefType<float> *init,
                                      UnrankedMemRefType<float> *y,
                                      int64_t layout, int64_t, int64_t) {
  checkMatmul(x, w, init, y, layout);
}

#define MMFREE_LMUL_ENTRY_POINTS(BITS, T)                                      \
  void _mlir_ciface_mmfreeFillRandomBits##BITS(UnrankedMemRefType<T> *m,       \
                                               int64_t seed, int64_t format,   \
                                               int64_t specials) {             \
    fillRandomBits(m, seed, format, specials);                                 \
  }                                                                            \
  void _mlir_ciface_mmfreeCheckLMulMatmul##BITS(                               \
      UnrankedMemRefType<T> *a, UnrankedMemRefType<T> *b,                      \
      UnrankedMemRefType<float> *init, UnrankedMemRefType<float> *y,           \
      int64_t format, int64_t k, int64_t transposed) {                         \
    checkLMulMatmul(a, b, init, y, format, k, transposed);                     \
  }                                                                            \
  void _mlir_ciface_mmfreeCheckLMul##BITS(                                     \
      UnrankedMemRefType<T> *x, UnrankedMemRefType<T> *y,                      \
      UnrankedMemRefType<T> *z, int64_t format, int64_t k) {                   \
    checkLMul(x, y, z, format, k);                                             \
  }

void _mlir_ciface_mmfreeCheckLut(UnrankedMemRefType<float> *x,
                                 UnrankedMemRefType<float> *w,
                                 UnrankedMemRefType<float> *calib,
                                 UnrankedMemRefType<float> *init,
                                 UnrankedMemRefType<float> *y, int64_t layout,
                                 int64_t codebooks, int64_t average) {
  checkLut(x, w, calib, init, y, layout, codebooks, average);
}

// Memrefs of f8/f16/bf16/f32 elements arrive as their bit patterns.
MMFREE_LMUL_ENTRY_POINTS(8, uint8_t)
MMFREE_LMUL_ENTRY_POINTS(16, uint16_t)
MMFREE_LMUL_ENTRY_POINTS(32, uint32_t)

} // extern "C"
