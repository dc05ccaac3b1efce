//===- Maddness.h - Reference semantics of MADDNESS LUT matmuls -*- C++ -*-===//
//
// MADDNESS ("Multiplying Matrices Without Multiplying", Blalock & Guttag,
// ICML 2021): rows of A (N x D) are hashed, per contiguous subspace, to one
// of 16 buckets by a balanced binary tree of depth 4, and A * B (B is D x M)
// is approximated by summing precomputed tables of <prototype, B column>.
// Product quantization (k-means codebooks) is the baseline. Matrices are
// row-major.
//
//===----------------------------------------------------------------------===//

#ifndef MMFREE_NUMERICS_MADDNESS_H
#define MMFREE_NUMERICS_MADDNESS_H

#include <cstdint>
#include <vector>

namespace mmfree::numerics {

constexpr int kTreeDepth = 4;
constexpr int kBuckets = 16;

/// The learned hash of one codebook: split dimension (index into A's D
/// columns) per level, and per level t the 2^t node thresholds.
/// code = 2 * code + (x[dims[t]] > thresholds[t][code]).
struct HashTree {
  int dims[kTreeDepth];
  std::vector<float> thresholds[kTreeDepth];
};

/// Tables quantized to uint8: lut[(c * 16 + k) * M + m]; the approximation
/// of (A B)[i, m] is (sum_c lut[c, code[i, c], m]) / scale + offset, with
/// scale a power of two and offset the sum of the per-codebook offsets.
struct QuantizedTables {
  int64_t codebooks = 0, outputs = 0;
  std::vector<uint8_t> lut;
  std::vector<float> codebookOffsets; // one per codebook
  float scale = 1;                    // power of two
  float offset = 0;                   // sum of codebookOffsets
};

struct MaddnessModel {
  int64_t d = 0, codebooks = 0;
  std::vector<HashTree> trees;
  QuantizedTables tables;
};

/// Column range [begin, end) of subspace c when D columns are cut into C
/// contiguous parts (the first D % C parts one column longer).
void subspaceRange(int64_t d, int64_t codebooks, int64_t c, int64_t &begin,
                   int64_t &end);

/// Learns hash trees (greedy per level: the split dimension minimising the
/// summed SSE of the children over the subspace, the best threshold per
/// bucket by a cumulative-SSE scan), prototypes by ridge regression
/// (lambda = 1) of the calibration rows on their one-hot codes, and the
/// quantized tables against b (D x M). Every value of calib and b must be
/// finite (NaN has no order to split on); n, d, m and codebooks at least 1.
MaddnessModel learnMaddness(const float *calib, int64_t n, int64_t d,
                            const float *b, int64_t m, int64_t codebooks);

/// Encodes rows of A (n x d) to codes[i * C + c] in [0, 16).
void encodeMaddness(const MaddnessModel &model, const float *a, int64_t n,
                    uint8_t *codes);

/// Sums table entries per output: exact in 16-bit (C <= 257).
void lutAccumulate(const QuantizedTables &t, const uint8_t *codes, int64_t n,
                   uint16_t *sums);

/// The vpavgb-style alternative: entries averaged pairwise with rounding up,
/// (x + y + 1) >> 1, in a binary tree over the C codebooks padded with zero
/// entries to P = averagedCodebooks(C); returns per output the average over
/// P, biased up by up to 1/2 per level.
void lutAverage(const QuantizedTables &t, const uint8_t *codes, int64_t n,
                uint8_t *avgs);

/// Dequantized approximation y (n x M) from exact sums: sum / scale +
/// offset.
void dequantizeSums(const QuantizedTables &t, const uint16_t *sums, int64_t n,
                    float *y);

/// Codebooks padded to a power of two for averaging.
int64_t averagedCodebooks(int64_t codebooks);

/// The expected upward bias of lutAverage's result: each of the log2(P)
/// levels rounds a half up for odd pairs (about half of them), and an
/// average keeps the bias its inputs share: log2(P) / 4.
float averageBias(int64_t codebooks);

/// Dequantized approximation from averages: avg / (scale / P) + offset -
/// averageBias(C) / (scale / P) with P = averagedCodebooks(C) (both powers
/// of two, so the division is exact): unbiased in expectation.
void dequantizeAverages(const QuantizedTables &t, const uint8_t *avgs,
                        int64_t n, float *y);

/// Quantizes float tables lut[(c * 16 + k) * M + m] as described above.
QuantizedTables quantizeTables(const std::vector<float> &lut, int64_t codebooks,
                               int64_t m);

/// Product-quantization baseline: k-means (16 centroids per subspace,
/// k-means++ seeding, Lloyd iterations), nearest-centroid encoding.
struct PQModel {
  int64_t d = 0, codebooks = 0;
  std::vector<float> centroids; // [c][16][subspace width], packed per c
  QuantizedTables tables;
};
PQModel learnPQ(const float *calib, int64_t n, int64_t d, const float *b,
                int64_t m, int64_t codebooks, unsigned seed = 1);
void encodePQ(const PQModel &model, const float *a, int64_t n, uint8_t *codes);

} // namespace mmfree::numerics

#endif // MMFREE_NUMERICS_MADDNESS_H
