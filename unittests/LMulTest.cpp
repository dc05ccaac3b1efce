//===- LMulTest.cpp - Tests of the L-Mul reference semantics --------------===//
//
// lmulBits (integer addition of bit patterns) is checked against lmulValue
// below, written independently from the paper's formula with value
// arithmetic: exhaustively for both fp8 formats, on 10M+ random pairs for
// f16, bf16 and f32, and on a table of special cases.
//
//===----------------------------------------------------------------------===//

#include "mmfree/Numerics/LMul.h"

#include <cmath>
#include <cstring>
#include <random>

#include <gtest/gtest.h>

using namespace mmfree::numerics;

/// (1 + xm + ym + 2^-l) 2^(ex+ey), where the fraction sum f = xm + ym + 2^-l
/// carries its integer part into the exponent as the integer adder does:
/// (1 + frac(f)) 2^(ex+ey+floor(f)). f reaches 2 or more when k > 5.
static double lmulValue(FloatFormat f, unsigned k, uint32_t x, uint32_t y) {
  FormatInfo fi = formatInfo(f);
  double vx = decode(f, x), vy = decode(f, y);
  double minNormal = std::ldexp(1.0, 1 - fi.bias);
  double maxFinite = decode(f, fi.maxFinite);
  if (std::isnan(vx) || std::isnan(vy))
    return NAN;
  double sign = (std::signbit(vx) != std::signbit(vy)) ? -1.0 : 1.0;
  if (std::fabs(vx) < minNormal)
    vx = 0;
  if (std::fabs(vy) < minNormal)
    vy = 0;
  if (std::isinf(vx) || std::isinf(vy))
    return (vx == 0 || vy == 0) ? NAN : sign * INFINITY;
  if (vx == 0 || vy == 0)
    return sign * 0.0;
  auto parts = [&](double v, double &frac) {
    int e;
    double fr = std::frexp(std::fabs(v), &e); // [0.5, 1)
    frac = std::floor((2 * fr - 1) * std::ldexp(1.0, k)) / std::ldexp(1.0, k);
    return e - 1;
  };
  double xm, ym;
  int ex = parts(vx, xm), ey = parts(vy, ym);
  double frac = xm + ym + std::ldexp(1.0, -int(lmulOffsetBits(k)));
  double carry = std::floor(frac);
  double value = std::ldexp(1 + frac - carry, ex + ey + int(carry));
  if (value < minNormal)
    return sign * 0.0;
  if (value > maxFinite)
    return sign * (fi.hasInf ? INFINITY : maxFinite);
  return sign * value;
}

static void expectSame(FloatFormat f, unsigned k, uint32_t x, uint32_t y) {
  double got = decode(f, lmulBits(f, k, x, y));
  double want = lmulValue(f, k, x, y);
  if (std::isnan(want)) {
    ASSERT_TRUE(std::isnan(got)) << formatName(f) << " k=" << k << " x=0x"
                                 << std::hex << x << " y=0x" << y;
    return;
  }
  ASSERT_EQ(got, want) << formatName(f) << " k=" << k << " x=0x" << std::hex
                       << x << " y=0x" << y;
  ASSERT_EQ(std::signbit(got), std::signbit(want))
      << formatName(f) << " x=0x" << std::hex << x << " y=0x" << y;
}

static uint32_t f32Bits(float v) {
  uint32_t b;
  std::memcpy(&b, &v, 4);
  return b;
}

namespace {

TEST(LMul, OffsetBits) {
  EXPECT_EQ(lmulOffsetBits(1), 1u);
  EXPECT_EQ(lmulOffsetBits(3), 3u);
  EXPECT_EQ(lmulOffsetBits(4), 3u);
  EXPECT_EQ(lmulOffsetBits(5), 4u);
  EXPECT_EQ(lmulOffsetBits(23), 4u);
}

TEST(LMul, ExhaustiveF8) {
  for (FloatFormat f : {FloatFormat::F8E4M3FN, FloatFormat::F8E5M2})
    for (unsigned k = 1; k <= formatInfo(f).mantissa; ++k)
      for (uint32_t x = 0; x < 256; ++x)
        for (uint32_t y = 0; y < 256; ++y)
          expectSame(f, k, x, y);
}

} // namespace

static void randomPairs(FloatFormat f, int64_t count, unsigned seed) {
  FormatInfo fi = formatInfo(f);
  std::mt19937_64 gen(seed);
  uint64_t mask = (uint64_t(1) << fi.bits) - 1;
  for (int64_t i = 0; i < count; ++i) {
    uint64_t r = gen();
    uint32_t x = uint32_t(r & mask), y = uint32_t((r >> 32) & mask);
    unsigned k = 1 + unsigned(gen() % fi.mantissa);
    // One pair in 8 keeps exponents near the bias so products stay in range.
    if (i % 8 == 0) {
      uint32_t mid = uint32_t(fi.bias) << fi.mantissa;
      uint32_t span = 4u << fi.mantissa;
      x = (x & ~((1u << (fi.bits - 1)) - 1)) | (mid - span / 2 + x % span);
      y = (y & ~((1u << (fi.bits - 1)) - 1)) | (mid - span / 2 + y % span);
    }
    expectSame(f, k, x, y);
    if (::testing::Test::HasFatalFailure())
      return;
  }
}

namespace {

TEST(LMul, RandomF16) { randomPairs(FloatFormat::F16, 10'000'000, 1); }
TEST(LMul, RandomBF16) { randomPairs(FloatFormat::BF16, 10'000'000, 2); }
TEST(LMul, RandomF32) { randomPairs(FloatFormat::F32, 10'000'000, 3); }

TEST(LMul, F32FormulaAtFullPrecision) {
  // |X| + |Y| - 0x3F780000 for k = 23.
  for (float a : {1.0f, 1.5f, 3.25f, 0.1f, 123.456f})
    for (float b : {1.0f, 1.75f, 0.3f, 1e5f})
      EXPECT_EQ(lmulBits(FloatFormat::F32, 23, f32Bits(a), f32Bits(b)),
                f32Bits(a) + f32Bits(b) - 0x3F780000u);
  // 1 * 1 = 1 + 2^-4; 1.5 * 1.5 carries: 2^1 (0.5 + 0.5 + 2^-4) = 2.125.
  EXPECT_EQ(lmulBits(FloatFormat::F32, 23, f32Bits(1.f), f32Bits(1.f)),
            f32Bits(1.0625f));
  EXPECT_EQ(lmulBits(FloatFormat::F32, 23, f32Bits(1.5f), f32Bits(1.5f)),
            f32Bits(2.125f));
}

TEST(LMul, SpecialCases) {
  auto f32 = FloatFormat::F32;
  const uint32_t pz = 0, nz = 0x80000000, sub = 0x00000001, nsub = 0x80400000,
                 inf = 0x7F800000, ninf = 0xFF800000, nan = 0x7FC00001,
                 two = f32Bits(2.f), mtwo = f32Bits(-2.f);
  struct Case {
    uint32_t x, y, want;
  } cases[] = {
      {pz, two, pz},                         // zero
      {nz, two, nz},                         // signed zero
      {pz, mtwo, nz},                        // sign xor
      {sub, two, pz},                        // subnormal flushed
      {nsub, two, nz},                       // signed flush
      {nan, two, 0x7FC00000},                // NaN -> canonical NaN
      {two, nan, 0x7FC00000},                //
      {inf, two, inf},                       // inf * nonzero
      {inf, mtwo, ninf},                     //
      {inf, pz, 0x7FC00000},                 // inf * 0 -> NaN
      {inf, sub, 0x7FC00000},                // inf * subnormal (flushed) -> NaN
      {f32Bits(1e30f), f32Bits(1e30f), inf}, // overflow
      {f32Bits(-1e30f), f32Bits(1e30f), ninf}, //
      {f32Bits(1e-30f), f32Bits(1e-30f), pz},  // underflow
      {f32Bits(-1e-30f), f32Bits(1e-30f), nz}, //
  };
  for (const Case &c : cases)
    EXPECT_EQ(lmulBits(f32, 23, c.x, c.y), c.want)
        << std::hex << c.x << " * " << c.y;
  // f8E4M3FN has no inf: overflow saturates to 448 (0x7E), 0x7F is NaN.
  auto e4m3 = FloatFormat::F8E4M3FN;
  EXPECT_EQ(lmulBits(e4m3, 3, 0x7E, 0x7E), 0x7Eu);
  EXPECT_EQ(lmulBits(e4m3, 3, 0xFE, 0x7E), 0xFEu);
  EXPECT_EQ(lmulBits(e4m3, 3, 0x7F, 0x38), 0x7Fu);
  EXPECT_EQ(decode(e4m3, 0x7E), 448.0);
  // f8E5M2 has inf (0x7C) and NaN.
  auto e5m2 = FloatFormat::F8E5M2;
  EXPECT_EQ(lmulBits(e5m2, 2, 0x7B, 0x7B), 0x7Cu);
  EXPECT_EQ(lmulBits(e5m2, 2, 0x7C, 0x00), 0x7Eu);
}

TEST(LMul, TruncationToK) {
  // 1.75 at k = 1 is read as 1.5: 1.5 * 1 -> (1 + 0.5 + 0.5) carries to 2.
  EXPECT_EQ(decode(FloatFormat::F32,
                   lmulBits(FloatFormat::F32, 1, f32Bits(1.75f), f32Bits(1.f))),
            2.0);
}

TEST(LMul, EncodeRoundTripsAndRounds) {
  for (FloatFormat f : {FloatFormat::F8E4M3FN, FloatFormat::F8E5M2})
    for (uint32_t x = 0; x < 256; ++x) {
      double v = decode(f, x);
      if (std::isnan(v))
        continue;
      EXPECT_EQ(decode(f, encode(f, v)), v) << formatName(f) << " " << x;
    }
  // Ties to even, saturation without inf, overflow to inf with it.
  EXPECT_EQ(
      decode(FloatFormat::F8E4M3FN, encode(FloatFormat::F8E4M3FN, 1.0625)),
      1.0);
  EXPECT_EQ(decode(FloatFormat::F8E4M3FN, encode(FloatFormat::F8E4M3FN, 1e6)),
            448.0);
  EXPECT_TRUE(std::isinf(
      decode(FloatFormat::F8E5M2, encode(FloatFormat::F8E5M2, 1e6))));
  // Below half the smallest subnormal: signed zero.
  EXPECT_EQ(encode(FloatFormat::F8E4M3FN, 1e-5), 0u);
  EXPECT_EQ(encode(FloatFormat::F8E4M3FN, -1e-5), 0x80u);
}

TEST(LMul, MatmulSumsInOrder) {
  auto f32 = FloatFormat::F32;
  uint32_t a[] = {f32Bits(1.f), f32Bits(2.f)};
  uint32_t b[] = {f32Bits(1.f), f32Bits(-1.f)};
  float init = 0.5f, c;
  lmulMatmul(f32, 23, a, b, &init, 1, 1, 2, &c);
  // 0.5 + 1.0625 - 2.125
  EXPECT_EQ(c, (0.5f + 1.0625f) + -2.125f);
}

} // namespace
