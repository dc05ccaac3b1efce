//===- Ternary.cpp - Reference semantics of ternary matmuls ---------------===//

#include "mmfree/Numerics/Ternary.h"

#include "mmfree/Numerics/Rounding.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace mmfree::numerics {

static float absmean(const float *w, int64_t size) {
  double sum = 0;
  for (int64_t i = 0; i < size; ++i)
    sum += std::fabs(w[i]);
  return std::max(static_cast<float>(sum / static_cast<double>(size)),
                  kScaleEpsilon);
}

static int8_t ternarizeOne(float w, float s) {
  return static_cast<int8_t>(roundClamped(w / s, -1.f, 1.f));
}

/// Returns c when every nonzero |w| equals c (weights exported from a
/// ternary-trained model as s * {-1, 0, 1}); 1 when all are zero.
static std::optional<float> scaledTernaryMagnitude(const float *w,
                                                   int64_t size) {
  float c = 0.f;
  for (int64_t i = 0; i < size; ++i) {
    float a = std::fabs(w[i]);
    if (a == 0.f)
      continue;
    if (c != 0.f && a != c)
      return std::nullopt;
    c = a;
  }
  return c == 0.f ? 1.f : c;
}

/// Ternarizes `size` weights into `values` and returns their scale.
static float ternarizeGroup(const float *w, int64_t size, int8_t *values) {
  float s;
  if (std::optional<float> c = scaledTernaryMagnitude(w, size))
    s = *c;
  else
    s = absmean(w, size);
  for (int64_t i = 0; i < size; ++i)
    values[i] = ternarizeOne(w[i], s);
  return s;
}

TernaryWeights ternarize(const float *w, int64_t n, int64_t k,
                         ScaleGranularity granularity) {
  TernaryWeights result;
  result.n = n;
  result.k = k;
  result.values.resize(n * k);
  if (granularity == ScaleGranularity::PerTensor) {
    result.scales = {ternarizeGroup(w, n * k, result.values.data())};
    return result;
  }
  for (int64_t r = 0; r < n; ++r)
    result.scales.push_back(
        ternarizeGroup(w + r * k, k, result.values.data() + r * k));
  return result;
}

void quantizeRows(const float *x, int64_t m, int64_t k, int8_t *xq, float *q) {
  for (int64_t r = 0; r < m; ++r) {
    const float *row = x + r * k;
    float maxAbs = 0.f;
    for (int64_t c = 0; c < k; ++c)
      maxAbs = std::max(maxAbs, std::fabs(row[c]));
    float scale = 127.f / std::max(maxAbs, kScaleEpsilon);
    q[r] = scale;
    for (int64_t c = 0; c < k; ++c)
      xq[r * k + c] =
          static_cast<int8_t>(roundClamped(row[c] * scale, -128.f, 127.f));
  }
}

static uint8_t encode(int8_t v) { return v == 1 ? 1 : v == -1 ? 2 : 0; }

std::vector<uint8_t> packTernary(const int8_t *values, int64_t n, int64_t k) {
  int64_t rowBytes = numBlocks(k) * kBlockBytes;
  std::vector<uint8_t> packed(n * rowBytes, 0);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < k; ++c) {
      int64_t block = c / kBlockWeights, j = (c % kBlockWeights) / kBlockBytes,
              b = c % kBlockBytes;
      packed[r * rowBytes + block * kBlockBytes + b] |=
          encode(values[r * k + c]) << (2 * j);
    }
  return packed;
}

bool unpackTernary(const uint8_t *packed, int64_t n, int64_t k,
                   int8_t *values) {
  int64_t rowBytes = numBlocks(k) * kBlockBytes;
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < rowBytes * 4; ++c) {
      int64_t block = c / kBlockWeights, j = (c % kBlockWeights) / kBlockBytes,
              b = c % kBlockBytes;
      unsigned code =
          (packed[r * rowBytes + block * kBlockBytes + b] >> (2 * j)) & 3;
      if (code == 3 || (c >= k && code != 0))
        return false;
      if (c < k)
        values[r * k + c] = code == 1 ? 1 : code == 2 ? -1 : 0;
    }
  return true;
}

int64_t unpackTernaryFields(const uint8_t *fields, int64_t rows, int64_t k,
                            const std::vector<int64_t> &shifts,
                            const float codeValues[4], int8_t *values) {
  int8_t ternary[4];
  for (int c = 0; c < 4; ++c) {
    float v = codeValues[c];
    ternary[c] = v == -1.f || v == 0.f || v == 1.f ? int8_t(v) : int8_t(2);
  }
  for (size_t s = 0; s < shifts.size(); ++s)
    for (int64_t i = 0; i < rows * k; ++i) {
      int8_t v = ternary[(fields[i] >> shifts[s]) & 3];
      int64_t at = int64_t(s) * rows * k + i;
      if (v == 2)
        return at;
      values[at] = v;
    }
  return -1;
}

bool packedCodesValid(const uint8_t *packed, int64_t rows, int64_t k) {
  int64_t rowBytes = numBlocks(k) * kBlockBytes;
  for (int64_t i = 0; i < rows * rowBytes; ++i) {
    uint8_t byte = packed[i];
    // A code 0b11 has both bits of its pair set.
    if (byte & (byte >> 1) & 0b01010101)
      return false;
    int64_t inRow = i % rowBytes, block = inRow / kBlockBytes,
            b = inRow % kBlockBytes;
    for (int64_t j = 0; j < 4; ++j)
      if (block * kBlockWeights + j * kBlockBytes + b >= k &&
          ((byte >> (2 * j)) & 3))
        return false;
  }
  return true;
}

unsigned accumulatorBits(int64_t k, int64_t maxAbs) {
  for (unsigned bits : {16u, 32u}) {
    int64_t limit = (int64_t(1) << (bits - 1)) - 1;
    if (k <= limit / maxAbs)
      return bits;
  }
  return 64;
}

void ternaryAccumulate(const int8_t *xq, int64_t m, int64_t k, const int8_t *wt,
                       int64_t n, int64_t *acc) {
  for (int64_t r = 0; r < m; ++r)
    for (int64_t o = 0; o < n; ++o) {
      int64_t sum = 0;
      for (int64_t c = 0; c < k; ++c) {
        int8_t w = wt[o * k + c];
        if (w > 0)
          sum += xq[r * k + c];
        else if (w < 0)
          sum -= xq[r * k + c];
      }
      acc[r * n + o] = sum;
    }
}

void ternaryMatmulInt8(const float *x, int64_t m, const TernaryWeights &w,
                       float *y) {
  std::vector<int8_t> xq(m * w.k);
  std::vector<float> q(m);
  quantizeRows(x, m, w.k, xq.data(), q.data());
  std::vector<int64_t> acc(m * w.n);
  ternaryAccumulate(xq.data(), m, w.k, w.values.data(), w.n, acc.data());
  for (int64_t r = 0; r < m; ++r)
    for (int64_t o = 0; o < w.n; ++o) {
      float s = w.scales.size() == 1 ? w.scales[0] : w.scales[o];
      y[r * w.n + o] =
          dequantize(static_cast<float>(acc[r * w.n + o]), s, q[r]);
    }
}

void ternaryMatmulFloat(const float *x, int64_t m, const TernaryWeights &w,
                        float *y) {
  for (int64_t r = 0; r < m; ++r)
    for (int64_t o = 0; o < w.n; ++o) {
      double sum = 0;
      for (int64_t c = 0; c < w.k; ++c)
        sum += w.values[o * w.k + c] * static_cast<double>(x[r * w.k + c]);
      float s = w.scales.size() == 1 ? w.scales[0] : w.scales[o];
      y[r * w.n + o] = static_cast<float>(sum) * s;
    }
}

} // namespace mmfree::numerics
