//===- Maddness.cpp - Reference semantics of MADDNESS LUT matmuls ---------===//

#include "mmfree/Numerics/Maddness.h"
#include "mmfree/Numerics/Rounding.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

namespace mmfree::numerics {

void subspaceRange(int64_t d, int64_t codebooks, int64_t c, int64_t &begin,
                   int64_t &end) {
  int64_t base = d / codebooks, extra = d % codebooks;
  begin = c * base + std::min(c, extra);
  end = begin + base + (c < extra ? 1 : 0);
}

namespace {

using Rows = std::vector<int64_t>;

/// Sum of squared deviations over columns [b0, b1) of the rows in `rows`.
struct Moments {
  std::vector<double> sum, sumSq;
  int64_t count = 0;
  explicit Moments(int64_t width) : sum(width), sumSq(width) {}
  void add(const float *row) {
    for (size_t j = 0; j < sum.size(); ++j) {
      sum[j] += row[j];
      sumSq[j] += double(row[j]) * row[j];
    }
    ++count;
  }
  double sse() const {
    if (count == 0)
      return 0;
    double s = 0;
    for (size_t j = 0; j < sum.size(); ++j)
      s += sumSq[j] - sum[j] * sum[j] / count;
    return s;
  }
};

} // namespace

/// Best split of `rows` on column `dim`: the summed SSE of both sides and
/// the threshold (midpoint between the neighbours at the split).
static std::pair<double, float> bestSplit(const float *x, int64_t d, int64_t b0,
                                          int64_t b1, Rows rows, int64_t dim) {
  int64_t width = b1 - b0;
  std::sort(rows.begin(), rows.end(), [&](int64_t p, int64_t q) {
    return x[p * d + dim] < x[q * d + dim];
  });
  Moments total(width);
  for (int64_t r : rows)
    total.add(x + r * d + b0);
  double best = total.sse();
  float threshold = rows.empty() ? 0.f : x[rows.back() * d + dim];
  Moments left(width);
  for (size_t i = 0; i + 1 < rows.size(); ++i) {
    left.add(x + rows[i] * d + b0);
    float lo = x[rows[i] * d + dim], hi = x[rows[i + 1] * d + dim];
    if (lo == hi)
      continue; // no threshold separates equal values
    Moments right(width);
    right.count = total.count - left.count;
    for (int64_t j = 0; j < width; ++j) {
      right.sum[j] = total.sum[j] - left.sum[j];
      right.sumSq[j] = total.sumSq[j] - left.sumSq[j];
    }
    double loss = left.sse() + right.sse();
    if (loss < best) {
      best = loss;
      threshold = lo + (hi - lo) / 2;
    }
  }
  return {best, threshold};
}

static int encodeRow(const HashTree &tree, const float *row) {
  int code = 0;
  for (int t = 0; t < kTreeDepth; ++t)
    code = 2 * code + (row[tree.dims[t]] > tree.thresholds[t][code] ? 1 : 0);
  return code;
}

static HashTree learnTree(const float *x, int64_t n, int64_t d, int64_t b0,
                          int64_t b1) {
  HashTree tree;
  std::vector<Rows> buckets(1);
  buckets[0].resize(n);
  std::iota(buckets[0].begin(), buckets[0].end(), 0);
  for (int t = 0; t < kTreeDepth; ++t) {
    double bestLoss = std::numeric_limits<double>::infinity();
    int bestDim = int(b0);
    std::vector<float> bestThresholds;
    for (int64_t dim = b0; dim < b1; ++dim) {
      double loss = 0;
      std::vector<float> thresholds;
      for (const Rows &bucket : buckets) {
        auto [l, thr] = bestSplit(x, d, b0, b1, bucket, dim);
        loss += l;
        thresholds.push_back(thr);
      }
      if (loss < bestLoss) {
        bestLoss = loss;
        bestDim = int(dim);
        bestThresholds = thresholds;
      }
    }
    tree.dims[t] = bestDim;
    tree.thresholds[t] = bestThresholds;
    std::vector<Rows> next(buckets.size() * 2);
    for (size_t k = 0; k < buckets.size(); ++k)
      for (int64_t r : buckets[k])
        next[2 * k + (x[r * d + bestDim] > bestThresholds[k] ? 1 : 0)]
            .push_back(r);
    buckets = std::move(next);
  }
  return tree;
}

QuantizedTables quantizeTables(const std::vector<float> &lut, int64_t codebooks,
                               int64_t m) {
  QuantizedTables q;
  q.codebooks = codebooks;
  q.outputs = m;
  q.lut.resize(lut.size());
  float maxRange = 0;
  for (int64_t c = 0; c < codebooks; ++c) {
    auto first = lut.begin() + c * kBuckets * m, last = first + kBuckets * m;
    auto [lo, hi] = std::minmax_element(first, last);
    q.codebookOffsets.push_back(*lo);
    maxRange = std::max(maxRange, *hi - *lo);
  }
  // One power-of-two scale, the largest that keeps every range in 0..255.
  q.scale =
      maxRange > 0 ? std::exp2(std::floor(std::log2(255.f / maxRange))) : 1.f;
  for (int64_t c = 0; c < codebooks; ++c)
    for (int64_t i = c * kBuckets * m; i < (c + 1) * kBuckets * m; ++i)
      q.lut[i] = uint8_t(
          roundClamped((lut[i] - q.codebookOffsets[c]) * q.scale, 0.f, 255.f));
  q.offset =
      std::accumulate(q.codebookOffsets.begin(), q.codebookOffsets.end(), 0.f);
  return q;
}

MaddnessModel learnMaddness(const float *calib, int64_t n, int64_t d,
                            const float *b, int64_t m, int64_t codebooks) {
  MaddnessModel model;
  model.d = d;
  model.codebooks = codebooks;
  for (int64_t c = 0; c < codebooks; ++c) {
    int64_t b0, b1;
    subspaceRange(d, codebooks, c, b0, b1);
    model.trees.push_back(learnTree(calib, n, d, b0, b1));
  }
  // Ridge regression (lambda = 1) of the rows on their one-hot codes:
  // P = (G^T G + I)^-1 G^T X, one prototype per (codebook, bucket) over all
  // D columns.
  int64_t k = codebooks * kBuckets;
  Eigen::MatrixXd gtg = Eigen::MatrixXd::Identity(k, k);
  Eigen::MatrixXd gtx = Eigen::MatrixXd::Zero(k, d);
  std::vector<int64_t> hot(codebooks);
  for (int64_t i = 0; i < n; ++i) {
    const float *row = calib + i * d;
    for (int64_t c = 0; c < codebooks; ++c)
      hot[c] = c * kBuckets + encodeRow(model.trees[c], row);
    for (int64_t p : hot) {
      for (int64_t q : hot)
        gtg(p, q) += 1;
      for (int64_t j = 0; j < d; ++j)
        gtx(p, j) += row[j];
    }
  }
  Eigen::MatrixXd prototypes = gtg.ldlt().solve(gtx);
  Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic,
                                 Eigen::RowMajor>>
      bMat(b, d, m);
  Eigen::MatrixXd lut = prototypes * bMat.cast<double>();
  std::vector<float> flat(k * m);
  for (int64_t p = 0; p < k; ++p)
    for (int64_t j = 0; j < m; ++j)
      flat[p * m + j] = float(lut(p, j));
  model.tables = quantizeTables(flat, codebooks, m);
  return model;
}

void encodeMaddness(const MaddnessModel &model, const float *a, int64_t n,
                    uint8_t *codes) {
  for (int64_t i = 0; i < n; ++i)
    for (int64_t c = 0; c < model.codebooks; ++c)
      codes[i * model.codebooks + c] =
          uint8_t(encodeRow(model.trees[c], a + i * model.d));
}

void lutAccumulate(const QuantizedTables &t, const uint8_t *codes, int64_t n,
                   uint16_t *sums) {
  for (int64_t i = 0; i < n; ++i)
    for (int64_t m = 0; m < t.outputs; ++m) {
      uint16_t s = 0;
      for (int64_t c = 0; c < t.codebooks; ++c)
        s += t.lut[(c * kBuckets + codes[i * t.codebooks + c]) * t.outputs + m];
      sums[i * t.outputs + m] = s;
    }
}

void lutAverage(const QuantizedTables &t, const uint8_t *codes, int64_t n,
                uint8_t *avgs) {
  std::vector<unsigned> v;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t m = 0; m < t.outputs; ++m) {
      v.assign(averagedCodebooks(t.codebooks), 0);
      for (int64_t c = 0; c < t.codebooks; ++c)
        v[c] =
            t.lut[(c * kBuckets + codes[i * t.codebooks + c]) * t.outputs + m];
      while (v.size() > 1) {
        std::vector<unsigned> next;
        for (size_t j = 0; j < v.size(); j += 2)
          next.push_back((v[j] + v[j + 1] + 1) >> 1);
        v = std::move(next);
      }
      avgs[i * t.outputs + m] = uint8_t(v[0]);
    }
}

void dequantizeSums(const QuantizedTables &t, const uint16_t *sums, int64_t n,
                    float *y) {
  for (int64_t i = 0; i < n * t.outputs; ++i)
    y[i] = float(sums[i]) / t.scale + t.offset;
}

int64_t averagedCodebooks(int64_t codebooks) {
  int64_t p = 1;
  while (p < codebooks)
    p *= 2;
  return p;
}

float averageBias(int64_t codebooks) {
  float bias = 0;
  for (int64_t p = averagedCodebooks(codebooks); p > 1; p /= 2)
    bias += 0.25f;
  return bias;
}

void dequantizeAverages(const QuantizedTables &t, const uint8_t *avgs,
                        int64_t n, float *y) {
  float divisor = t.scale / float(averagedCodebooks(t.codebooks));
  float offset = t.offset - averageBias(t.codebooks) / divisor;
  for (int64_t i = 0; i < n * t.outputs; ++i)
    y[i] = float(avgs[i]) / divisor + offset;
}

PQModel learnPQ(const float *calib, int64_t n, int64_t d, const float *b,
                int64_t m, int64_t codebooks, unsigned seed) {
  PQModel model;
  model.d = d;
  model.codebooks = codebooks;
  std::mt19937_64 gen(seed);
  std::vector<float> lut(codebooks * kBuckets * m, 0.f);
  for (int64_t c = 0; c < codebooks; ++c) {
    int64_t b0, b1;
    subspaceRange(d, codebooks, c, b0, b1);
    int64_t w = b1 - b0;
    auto dist = [&](const float *x, const float *y) {
      double s = 0;
      for (int64_t j = 0; j < w; ++j)
        s += double(x[j] - y[j]) * (x[j] - y[j]);
      return s;
    };
    // k-means++ seeding.
    std::vector<float> cent(kBuckets * w);
    std::vector<double> nearest(n, std::numeric_limits<double>::infinity());
    int64_t first = int64_t(gen() % uint64_t(n));
    std::copy_n(calib + first * d + b0, w, cent.begin());
    for (int k = 1; k < kBuckets; ++k) {
      double total = 0;
      for (int64_t i = 0; i < n; ++i) {
        nearest[i] = std::min(
            nearest[i], dist(calib + i * d + b0, cent.data() + (k - 1) * w));
        total += nearest[i];
      }
      double pick = std::uniform_real_distribution<double>(0, total)(gen);
      int64_t chosen = n - 1;
      for (int64_t i = 0; i < n; ++i)
        if ((pick -= nearest[i]) <= 0) {
          chosen = i;
          break;
        }
      std::copy_n(calib + chosen * d + b0, w, cent.begin() + k * w);
    }
    // Lloyd iterations.
    std::vector<int> assign(n);
    for (int iter = 0; iter < 25; ++iter) {
      for (int64_t i = 0; i < n; ++i) {
        double best = std::numeric_limits<double>::infinity();
        for (int k = 0; k < kBuckets; ++k) {
          double dd = dist(calib + i * d + b0, cent.data() + k * w);
          if (dd < best) {
            best = dd;
            assign[i] = k;
          }
        }
      }
      std::vector<double> sum(kBuckets * w, 0);
      std::vector<int64_t> count(kBuckets, 0);
      for (int64_t i = 0; i < n; ++i) {
        ++count[assign[i]];
        for (int64_t j = 0; j < w; ++j)
          sum[assign[i] * w + j] += calib[i * d + b0 + j];
      }
      for (int k = 0; k < kBuckets; ++k)
        if (count[k])
          for (int64_t j = 0; j < w; ++j)
            cent[k * w + j] = float(sum[k * w + j] / count[k]);
    }
    for (int k = 0; k < kBuckets; ++k)
      for (int64_t o = 0; o < m; ++o) {
        double s = 0;
        for (int64_t j = 0; j < w; ++j)
          s += double(cent[k * w + j]) * b[(b0 + j) * m + o];
        lut[(c * kBuckets + k) * m + o] = float(s);
      }
    model.centroids.insert(model.centroids.end(), cent.begin(), cent.end());
  }
  model.tables = quantizeTables(lut, codebooks, m);
  return model;
}

void encodePQ(const PQModel &model, const float *a, int64_t n, uint8_t *codes) {
  int64_t offset = 0;
  for (int64_t c = 0; c < model.codebooks; ++c) {
    int64_t b0, b1;
    subspaceRange(model.d, model.codebooks, c, b0, b1);
    int64_t w = b1 - b0;
    for (int64_t i = 0; i < n; ++i) {
      double best = std::numeric_limits<double>::infinity();
      for (int k = 0; k < kBuckets; ++k) {
        double s = 0;
        for (int64_t j = 0; j < w; ++j) {
          double diff =
              a[i * model.d + b0 + j] - model.centroids[offset + k * w + j];
          s += diff * diff;
        }
        if (s < best) {
          best = s;
          codes[i * model.codebooks + c] = uint8_t(k);
        }
      }
    }
    offset += kBuckets * w;
  }
}

} // namespace mmfree::numerics
