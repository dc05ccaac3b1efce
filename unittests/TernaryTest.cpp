//===- TernaryTest.cpp - Tests of the ternary reference semantics ---------===//

#include "mmfree/Numerics/Ternary.h"

#include "mmfree/Numerics/Rounding.h"

#include <limits>
#include <random>

#include <gtest/gtest.h>

using namespace mmfree::numerics;

static std::vector<float> randomFloats(int64_t size, unsigned seed,
                                       float scale = 1) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> dist(0.f, scale);
  std::vector<float> v(size);
  for (float &x : v)
    x = dist(gen);
  return v;
}

namespace {

TEST(Ternary, AbsmeanPerTensor) {
  // mean|W| = 1, so values round to the nearest of -1, 0, 1.
  std::vector<float> w = {0.4f, -0.6f, 2.5f, -0.5f};
  TernaryWeights t = ternarize(w.data(), 2, 2, ScaleGranularity::PerTensor);
  ASSERT_EQ(t.scales.size(), 1u);
  EXPECT_FLOAT_EQ(t.scales[0], 1.0f);
  EXPECT_EQ(t.values, (std::vector<int8_t>{0, -1, 1, 0})); // -0.5 -> even 0
}

TEST(Ternary, AbsmeanPerChannel) {
  std::vector<float> w = {2.f, -2.f, 0.2f, 0.1f, -0.2f, 0.f};
  TernaryWeights t = ternarize(w.data(), 2, 3, ScaleGranularity::PerChannel);
  ASSERT_EQ(t.scales.size(), 2u);
  EXPECT_FLOAT_EQ(t.scales[0], 1.4f);
  EXPECT_FLOAT_EQ(t.scales[1], 0.1f);
  EXPECT_EQ(t.values, (std::vector<int8_t>{1, -1, 0, 1, -1, 0}));
}

TEST(Ternary, AlreadyTernaryKeptAsIs) {
  std::vector<float> w = {1.f, 0.f, -1.f, -1.f};
  TernaryWeights t = ternarize(w.data(), 2, 2, ScaleGranularity::PerChannel);
  EXPECT_EQ(t.values, (std::vector<int8_t>{1, 0, -1, -1}));
  EXPECT_EQ(t.scales, (std::vector<float>{1.f, 1.f}));
}

TEST(Ternary, ScaledTernaryKeepsItsScale) {
  // Exported as s * {-1, 0, 1}: absmean would give 0.25 * 2/3, not 0.25.
  std::vector<float> w = {0.25f, 0.f, -0.25f, 0.f, 0.25f, -0.25f};
  TernaryWeights t = ternarize(w.data(), 2, 3, ScaleGranularity::PerTensor);
  EXPECT_EQ(t.values, (std::vector<int8_t>{1, 0, -1, 0, 1, -1}));
  EXPECT_EQ(t.scales, (std::vector<float>{0.25f}));
  w[0] = 0.5f; // row 0 now mixes magnitudes: absmean for that row only
  t = ternarize(w.data(), 2, 3, ScaleGranularity::PerChannel);
  EXPECT_FLOAT_EQ(t.scales[0], 0.25f);
  EXPECT_EQ(t.scales[1], 0.25f);
}

TEST(Ternary, ZeroMatrixUsesEpsilon) {
  std::vector<float> w(6, 0.f);
  w[0] = 1e-9f; // tiny mixed magnitudes force the absmean path
  w[1] = 2e-9f;
  TernaryWeights t = ternarize(w.data(), 2, 3, ScaleGranularity::PerTensor);
  EXPECT_EQ(t.scales[0], kScaleEpsilon);
  EXPECT_EQ(t.values, std::vector<int8_t>(6, 0));
}

TEST(Ternary, QuantizeRows) {
  std::vector<float> x = {1.f, -0.5f, 0.25f, 0.f, 0.f, 0.f};
  std::vector<int8_t> xq(6);
  std::vector<float> q(2);
  quantizeRows(x.data(), 2, 3, xq.data(), q.data());
  EXPECT_FLOAT_EQ(q[0], 127.f);
  EXPECT_EQ(q[1], 127.f / kScaleEpsilon);
  // 63.5 and 31.75 round half to even.
  EXPECT_EQ(xq, (std::vector<int8_t>{127, -64, 32, 0, 0, 0}));
}

// Conversions of NaN to integers are undefined behaviour in C++: the
// reference defines them as 0 (and saturates infinities).
TEST(Ternary, NonFiniteValuesConvertDefined) {
  float nan = std::numeric_limits<float>::quiet_NaN();
  float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(roundClamped(nan, -128.f, 127.f), 0.f);
  EXPECT_EQ(roundClamped(inf, -128.f, 127.f), 127.f);
  EXPECT_EQ(roundClamped(-inf, 0.f, 255.f), 0.f);
  EXPECT_EQ(roundClamped(2.5f, -128.f, 127.f), 2.f);
  std::vector<float> x = {1.f, nan, -1.f};
  std::vector<int8_t> xq(3);
  float q;
  quantizeRows(x.data(), 1, 3, xq.data(), &q);
  EXPECT_EQ(q, 127.f);
  EXPECT_EQ(xq, (std::vector<int8_t>{127, 0, -127}));
}

TEST(Ternary, PackRoundTripAndLayout) {
  for (int64_t k : {1, 3, 4, 5, 63, 64, 65, 130}) {
    std::mt19937 gen(k);
    std::vector<int8_t> v(3 * k);
    for (int8_t &x : v)
      x = static_cast<int8_t>(int(gen() % 3) - 1);
    std::vector<uint8_t> packed = packTernary(v.data(), 3, k);
    EXPECT_EQ(int64_t(packed.size()), 3 * numBlocks(k) * kBlockBytes);
    // At most 2 bits per weight once K fills the blocks.
    EXPECT_LE(packed.size() * 8, size_t(3 * numBlocks(k) * 64 * 2));
    std::vector<int8_t> back(3 * k);
    ASSERT_TRUE(unpackTernary(packed.data(), 3, k, back.data()));
    EXPECT_EQ(v, back);
  }
  // Weight k=17 (block 0, j=1, b=1) lands in byte 1 bits [2,4).
  std::vector<int8_t> one(64, 0);
  one[17] = -1;
  EXPECT_EQ(packTernary(one.data(), 1, 64)[1], 0b1000);
}

TEST(Ternary, OffsetCodesAreWeightPlusOne) {
  for (int8_t w : {-1, 0, 1}) {
    int8_t v[64] = {};
    v[0] = v[16] = v[32] = v[48] = w;
    uint8_t byte = packTernary(v, 1, 64)[0];
    EXPECT_EQ(offsetCode(byte & 3), w + 1);
    // All four codes of the byte, each w + 1.
    EXPECT_EQ(offsetCodes(byte), (w + 1) * 0b01010101);
  }
}

TEST(Ternary, UnpackRejectsInvalidCodes) {
  std::vector<uint8_t> packed(16, 0);
  std::vector<int8_t> out(64);
  packed[3] = 0b11;
  EXPECT_FALSE(unpackTernary(packed.data(), 1, 64, out.data()));
  packed[3] = 0;
  packed[15] = 0b01000000; // k = 63 set, but K = 10
  EXPECT_FALSE(unpackTernary(packed.data(), 1, 10, out.data()));
}

// packedCodesValid accepts exactly what unpackTernary accepts.
TEST(Ternary, PackedCodesValidMatchesUnpack) {
  std::mt19937 gen(7);
  for (int64_t k : {10, 64, 77, 130}) {
    int64_t bytes = numBlocks(k) * kBlockBytes * 2;
    std::vector<int8_t> out(2 * k);
    for (int trial = 0; trial < 200; ++trial) {
      std::vector<uint8_t> packed(bytes);
      // Mostly zeros and valid codes, now and then any byte.
      for (uint8_t &b : packed) {
        unsigned pick = gen() % 16;
        b = pick < 12   ? 0
            : pick < 15 ? uint8_t(1 + gen() % 2) << (gen() % 4 * 2)
                        : uint8_t(gen());
      }
      EXPECT_EQ(packedCodesValid(packed.data(), 2, k),
                unpackTernary(packed.data(), 2, k, out.data()))
          << "k = " << k << ", trial " << trial;
    }
    std::vector<int8_t> values(2 * k, 1);
    std::vector<uint8_t> valid = packTernary(values.data(), 2, k);
    EXPECT_TRUE(packedCodesValid(valid.data(), 2, k));
  }
}

TEST(Ternary, AccumulatorBits) {
  EXPECT_EQ(accumulatorBits(255), 16u); // 255 * 128 = 32640
  EXPECT_EQ(accumulatorBits(256), 32u);
  EXPECT_EQ(accumulatorBits(16777215), 32u);
  EXPECT_EQ(accumulatorBits(16777216), 64u);
}

TEST(Ternary, AccumulateMatchesDefinition) {
  const int64_t m = 3, n = 5, k = 77;
  std::mt19937 gen(7);
  std::vector<int8_t> xq(m * k), wt(n * k);
  for (int8_t &x : xq)
    x = static_cast<int8_t>(int(gen() % 256) - 128);
  for (int8_t &w : wt)
    w = static_cast<int8_t>(int(gen() % 3) - 1);
  std::vector<int64_t> acc(m * n);
  ternaryAccumulate(xq.data(), m, k, wt.data(), n, acc.data());
  for (int64_t r = 0; r < m; ++r)
    for (int64_t o = 0; o < n; ++o) {
      int64_t ref = 0;
      for (int64_t c = 0; c < k; ++c)
        ref += int64_t(xq[r * k + c]) * wt[o * k + c];
      EXPECT_EQ(acc[r * n + o], ref);
    }
}

TEST(Ternary, Int8AndFloatModesApproximateDenseProduct) {
  const int64_t m = 4, n = 8, k = 256;
  std::vector<float> x = randomFloats(m * k, 1);
  std::vector<float> w = randomFloats(n * k, 2);
  TernaryWeights t = ternarize(w.data(), n, k, ScaleGranularity::PerChannel);
  std::vector<float> yi(m * n), yf(m * n);
  ternaryMatmulInt8(x.data(), m, t, yi.data());
  ternaryMatmulFloat(x.data(), m, t, yf.data());
  // int8 activation quantization error is at most 0.5 / q per element.
  for (int64_t r = 0; r < m; ++r) {
    float maxAbs = 0;
    for (int64_t c = 0; c < k; ++c)
      maxAbs = std::max(maxAbs, std::fabs(x[r * k + c]));
    for (int64_t o = 0; o < n; ++o) {
      float bound = 0.5f * maxAbs / 127.f * k * t.scales[o] * 1.001f;
      EXPECT_NEAR(yi[r * n + o], yf[r * n + o], bound);
    }
  }
}

} // namespace

// transformers' BitNet layout (the example of its unpack_weights docstring):
// 4 rows per byte along the output channels, code c means c - 1.
TEST(Ternary, UnpackFieldsOfTransformersLayout) {
  const uint8_t fields[] = {0b10100001, 0b00011000, 0b10010000, 0b00001010};
  const float codeValues[4] = {-1, 0, 1, 2};
  int8_t values[16];
  ASSERT_EQ(unpackTernaryFields(fields, 2, 2, {0, 2, 4, 6}, codeValues, values),
            -1);
  const int8_t want[16] = {0, -1, -1, 1,  -1, 1,  -1, 1,
                           1, 0,  0,  -1, 1,  -1, 1,  -1};
  for (int i = 0; i < 16; ++i)
    EXPECT_EQ(values[i], want[i]) << i;
}

TEST(Ternary, UnpackFieldsRejectsNonTernaryCodes) {
  // Code 3 gives 2 in transformers' layout: the second slice's element 1.
  const uint8_t fields[] = {0b00000000, 0b00001100};
  const float codeValues[4] = {-1, 0, 1, 2};
  int8_t values[4];
  EXPECT_EQ(unpackTernaryFields(fields, 1, 2, {0, 2}, codeValues, values), 3);
}
