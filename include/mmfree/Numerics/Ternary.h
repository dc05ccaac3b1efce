//===- Ternary.h - Reference semantics of ternary matmuls -------*- C++ -*-===//
//
// Plain C++ reference for BitNet b1.58 style ternary matmuls. Every lowering
// of the mmfree ternary ops must reproduce these functions bit for bit (int8
// activations) or within float-summation tolerance (float activations).
//
//===----------------------------------------------------------------------===//

#ifndef MMFREE_NUMERICS_TERNARY_H
#define MMFREE_NUMERICS_TERNARY_H

#include <cstdint>
#include <vector>

namespace mmfree::numerics {

/// Lower bound on mean|W| and max|x|, as in BitNet, so all-zero rows and
/// matrices quantize to zero instead of NaN.
constexpr float kScaleEpsilon = 1e-5f;

enum class ScaleGranularity { PerTensor, PerChannel };

/// Ternary weights: `values` is N x K row-major (one row per output channel),
/// entries in {-1, 0, +1}; `scales` has 1 (per tensor) or N (per channel)
/// entries. The dequantized weight is values[n][k] * scales[n or 0].
struct TernaryWeights {
  int64_t n = 0, k = 0;
  std::vector<int8_t> values;
  std::vector<float> scales;
};

/// Absmean ternarization: s = max(mean|W|, eps) over the tensor or each row,
/// Wt = clamp(roundeven(W / s), -1, 1). `w` is N x K row-major. A group
/// whose nonzero magnitudes all equal one c (already ternary, or exported as
/// c * {-1, 0, 1}) keeps its signs with s = c.
TernaryWeights ternarize(const float *w, int64_t n, int64_t k,
                         ScaleGranularity granularity);

/// Per-row absmax int8 quantization: q[m] = 127 / max(max_k |x[m,k]|, eps),
/// xq = clamp(roundeven(x * q[m]), -128, 127).
void quantizeRows(const float *x, int64_t m, int64_t k, int8_t *xq, float *q);

//===----------------------------------------------------------------------===//
// Packed storage: 2 bits per weight. Each output row is cut into blocks of
// 64 weights stored in 16 bytes; byte b of block t holds the weights
// k = 64t + 16j + b for j = 0..3 in bits [2j, 2j+2). A 16-byte load decoded
// with shift 2j thus yields 16 consecutive weights, matching one contiguous
// 16-lane load of activations. Codes: 0b00 -> 0, 0b01 -> +1, 0b10 -> -1;
// 0b11 is invalid. Weights past K are code 0.
//===----------------------------------------------------------------------===//

constexpr int64_t kBlockWeights = 64;
constexpr int64_t kBlockBytes = 16;

inline int64_t numBlocks(int64_t k) {
  return (k + kBlockWeights - 1) / kBlockWeights;
}

/// A weight's code as w + 1 in {0, 1, 2}, the form the VNNI kernel adds
/// with one unsigned byte dot product: 0b00 -> 1, 0b01 -> 2, 0b10 -> 0.
constexpr uint8_t offsetCode(uint8_t code) {
  return code == 1 ? 2 : code == 2 ? 0 : 1;
}

/// offsetCode applied to each of the four codes of a packed byte.
constexpr uint8_t offsetCodes(uint8_t packed) {
  uint8_t out = 0;
  for (int j = 0; j < 4; ++j)
    out |= offsetCode((packed >> (2 * j)) & 3) << (2 * j);
  return out;
}

/// Packs N x K ternary values into N x numBlocks(K) x 16 bytes.
std::vector<uint8_t> packTernary(const int8_t *values, int64_t n, int64_t k);

/// Inverse of packTernary. Returns false on an invalid code (0b11) or a
/// nonzero code past K.
bool unpackTernary(const uint8_t *packed, int64_t n, int64_t k, int8_t *values);

/// Whether `rows` packed rows for K weights hold only codes 0, 1, 2 and
/// zeros past K (what unpackTernary accepts), without unpacking.
bool packedCodesValid(const uint8_t *packed, int64_t rows, int64_t k);

/// Unpacks 2-bit codes stored as a model's checkpoint holds them (see
/// #mmfree.packed_ternary): `fields` is rows x K bytes, and the N x K
/// values (N = rows x shifts.size()) are
///   values[s * rows + r][c] = codeValues[(fields[r][c] >> shifts[s]) & 3].
/// Returns the row-major index into `values` of the first weight whose code
/// maps to something other than -1, 0 or +1, or -1 when all are ternary.
int64_t unpackTernaryFields(const uint8_t *fields, int64_t rows, int64_t k,
                            const std::vector<int64_t> &shifts,
                            const float codeValues[4], int8_t *values);

/// Narrowest signed accumulator width (16, 32 or 64 bits) that provably holds
/// any sum of K terms of magnitude at most `maxAbs`.
unsigned accumulatorBits(int64_t k, int64_t maxAbs = 128);

/// Exact integer contraction acc[m,n] = sum_k xq[m,k] * Wt[n,k], computed
/// with adds and subtracts only.
void ternaryAccumulate(const int8_t *xq, int64_t m, int64_t k, const int8_t *wt,
                       int64_t n, int64_t *acc);

/// Rescale of one accumulator: float(acc) * ws / q, in that order.
inline float dequantize(float acc, float weightScale, float rowScale) {
  return acc * weightScale / rowScale;
}

/// Full int8-activation ternary matmul: y = x (M x K) times W^T where W is the
/// N x K ternary weight, y is M x N.
void ternaryMatmulInt8(const float *x, int64_t m, const TernaryWeights &w,
                       float *y);

/// Float-activation variant: y[m,n] = (sum_{Wt=+1} x - sum_{Wt=-1} x) * s,
/// summed in double and rounded once (the tolerance reference).
void ternaryMatmulFloat(const float *x, int64_t m, const TernaryWeights &w,
                        float *y);

} // namespace mmfree::numerics

#endif // MMFREE_NUMERICS_TERNARY_H
