//===- MaddnessTest.cpp - Tests of the MADDNESS reference -----------------===//

#include "mmfree/Numerics/Maddness.h"

#include <cmath>
#include <random>

#include <gtest/gtest.h>

using namespace mmfree::numerics;

/// Rows with known structure: a few latent factors mixed into D columns,
/// plus small noise, as activations of a trained layer tend to be.
static std::vector<float> structuredRows(int64_t n, int64_t d, unsigned seed) {
  const int64_t latent = 6;
  std::mt19937 gen(seed);
  std::normal_distribution<float> normal(0.f, 1.f);
  std::mt19937 mixGen(99); // the same mixing for every call
  std::vector<float> mix(latent * d);
  for (float &v : mix)
    v = normal(mixGen);
  std::vector<float> rows(n * d);
  for (int64_t i = 0; i < n; ++i) {
    float z[latent];
    for (float &v : z)
      v = normal(gen);
    for (int64_t j = 0; j < d; ++j) {
      float s = 0.1f * normal(gen);
      for (int64_t l = 0; l < latent; ++l)
        s += z[l] * mix[l * d + j];
      rows[i * d + j] = s;
    }
  }
  return rows;
}

static std::vector<float> exactProduct(const std::vector<float> &a,
                                       const std::vector<float> &b, int64_t n,
                                       int64_t d, int64_t m) {
  std::vector<float> y(n * m);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t o = 0; o < m; ++o) {
      double s = 0;
      for (int64_t j = 0; j < d; ++j)
        s += double(a[i * d + j]) * b[j * m + o];
      y[i * m + o] = float(s);
    }
  return y;
}

static double relativeError(const std::vector<float> &got,
                            const std::vector<float> &want) {
  double e = 0, w = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    e += double(got[i] - want[i]) * (got[i] - want[i]);
    w += double(want[i]) * want[i];
  }
  return std::sqrt(e / w);
}

namespace {

struct Problem {
  int64_t n = 2000, test = 500, d = 64, m = 8;
  std::vector<float> calib = structuredRows(n, d, 1);
  std::vector<float> a = structuredRows(test, d, 2);
  std::vector<float> b;
  std::vector<float> exact;
  Problem() {
    std::mt19937 gen(3);
    std::normal_distribution<float> normal(0.f, 1.f);
    b.resize(d * m);
    for (float &v : b)
      v = normal(gen);
    exact = exactProduct(a, b, test, d, m);
  }
  template <typename Model, typename Encode>
  double error(const Model &model, Encode encode) const {
    std::vector<uint8_t> codes(test * model.codebooks);
    encode(model, a.data(), test, codes.data());
    std::vector<uint16_t> sums(test * m);
    lutAccumulate(model.tables, codes.data(), test, sums.data());
    std::vector<float> y(test * m);
    dequantizeSums(model.tables, sums.data(), test, y.data());
    return relativeError(y, exact);
  }
};

TEST(Maddness, SubspaceRanges) {
  int64_t b, e;
  subspaceRange(10, 3, 0, b, e);
  EXPECT_EQ(b, 0);
  EXPECT_EQ(e, 4);
  subspaceRange(10, 3, 2, b, e);
  EXPECT_EQ(b, 7);
  EXPECT_EQ(e, 10);
}

TEST(Maddness, TreesSplitOnTheirSubspaceAndCoverAllBuckets) {
  Problem p;
  MaddnessModel model =
      learnMaddness(p.calib.data(), p.n, p.d, p.b.data(), p.m, 8);
  ASSERT_EQ(model.trees.size(), 8u);
  for (int64_t c = 0; c < 8; ++c) {
    int64_t b0, b1;
    subspaceRange(p.d, 8, c, b0, b1);
    for (int t = 0; t < kTreeDepth; ++t) {
      EXPECT_GE(model.trees[c].dims[t], b0);
      EXPECT_LT(model.trees[c].dims[t], b1);
      EXPECT_EQ(model.trees[c].thresholds[t].size(), size_t(1) << t);
    }
  }
  std::vector<uint8_t> codes(p.n * 8);
  encodeMaddness(model, p.calib.data(), p.n, codes.data());
  std::vector<int> used(kBuckets, 0);
  for (int64_t i = 0; i < p.n; ++i)
    ++used[codes[i * 8]];
  for (int k = 0; k < kBuckets; ++k)
    EXPECT_GT(used[k], 0) << "bucket " << k; // balanced: every bucket used
}

TEST(Maddness, TablesArePowerOfTwoScaledBytes) {
  std::vector<float> lut(2 * kBuckets * 3);
  for (size_t i = 0; i < lut.size(); ++i)
    lut[i] = float(i % 7) - 2.5f;
  QuantizedTables q = quantizeTables(lut, 2, 3);
  EXPECT_EQ(q.scale, std::exp2(std::floor(std::log2(255.f / 6.f))));
  EXPECT_FLOAT_EQ(q.offset, -5.f);
  for (size_t i = 0; i < lut.size(); ++i)
    EXPECT_NEAR(q.lut[i] / q.scale - 2.5f, lut[i], 0.5f / q.scale);
}

TEST(Maddness, BeatsProductQuantization) {
  Problem p;
  for (int64_t c : {4, 8, 16}) {
    MaddnessModel mad =
        learnMaddness(p.calib.data(), p.n, p.d, p.b.data(), p.m, c);
    PQModel pq = learnPQ(p.calib.data(), p.n, p.d, p.b.data(), p.m, c);
    double madErr = p.error(mad, encodeMaddness);
    double pqErr = p.error(pq, encodePQ);
    EXPECT_LT(madErr, pqErr) << c << " codebooks";
    RecordProperty("codebooks_" + std::to_string(c),
                   std::to_string(madErr) + " vs PQ " + std::to_string(pqErr));
  }
}

TEST(Maddness, ErrorFallsAsCodebooksGrow) {
  Problem p;
  double previous = INFINITY;
  for (int64_t c : {2, 4, 8, 16}) {
    MaddnessModel mad =
        learnMaddness(p.calib.data(), p.n, p.d, p.b.data(), p.m, c);
    double err = p.error(mad, encodeMaddness);
    EXPECT_LT(err, previous) << c << " codebooks";
    previous = err;
  }
  EXPECT_LT(previous, 0.35);
}

TEST(Maddness, AveragingApproximatesTheExactSum) {
  Problem p;
  for (int64_t c : {5, 8}) { // odd and even codebook counts
    MaddnessModel mad =
        learnMaddness(p.calib.data(), p.n, p.d, p.b.data(), p.m, c);
    std::vector<uint8_t> codes(p.test * c), avgs(p.test * p.m);
    std::vector<uint16_t> sums(p.test * p.m);
    encodeMaddness(mad, p.a.data(), p.test, codes.data());
    lutAccumulate(mad.tables, codes.data(), p.test, sums.data());
    lutAverage(mad.tables, codes.data(), p.test, avgs.data());
    // The mean over P = 8 (5 codebooks padded with zeros), rounded up by
    // at most 1/2 per level.
    int64_t padded = averagedCodebooks(c);
    EXPECT_EQ(padded, 8);
    for (int64_t i = 0; i < p.test * p.m; ++i) {
      double mean = double(sums[i]) / double(padded);
      EXPECT_GE(avgs[i] + 1e-9, mean);
      EXPECT_LE(avgs[i], mean + 0.5 * 3 + 1e-9);
    }
  }
}

// dequantizeAverages takes the rounding's expected bias (log2(P) / 4 per
// average) off: over many outputs it agrees with the exact sums in the
// mean, where without the correction it sits 3/4 of a step above.
TEST(Maddness, AveragesUnbiased) {
  Problem p;
  int64_t c = 8;
  MaddnessModel mad =
      learnMaddness(p.calib.data(), p.n, p.d, p.b.data(), p.m, c);
  std::vector<uint8_t> codes(p.test * c), avgs(p.test * p.m);
  std::vector<uint16_t> sums(p.test * p.m);
  encodeMaddness(mad, p.a.data(), p.test, codes.data());
  lutAccumulate(mad.tables, codes.data(), p.test, sums.data());
  lutAverage(mad.tables, codes.data(), p.test, avgs.data());
  std::vector<float> exact(p.test * p.m), averaged(p.test * p.m);
  dequantizeSums(mad.tables, sums.data(), p.test, exact.data());
  dequantizeAverages(mad.tables, avgs.data(), p.test, averaged.data());
  EXPECT_FLOAT_EQ(averageBias(c), 0.75f);
  double step = averagedCodebooks(c) / mad.tables.scale, diff = 0;
  for (int64_t i = 0; i < p.test * p.m; ++i)
    diff += averaged[i] - exact[i];
  diff /= double(p.test * p.m);
  EXPECT_LT(std::fabs(diff), 0.1 * step) << "mean bias " << diff / step;
}

} // namespace
