//===- LMul.cpp - Reference semantics of L-Mul ----------------------------===//

#include "mmfree/Numerics/LMul.h"

#include <cmath>
#include <cstring>

namespace mmfree::numerics {

FormatInfo formatInfo(FloatFormat f) {
  switch (f) {
  case FloatFormat::F32:
    return {32, 23, 127, true, 0x7F7FFFFF, 0x7FC00000};
  case FloatFormat::BF16:
    return {16, 7, 127, true, 0x7F7F, 0x7FC0};
  case FloatFormat::F16:
    return {16, 10, 15, true, 0x7BFF, 0x7E00};
  case FloatFormat::F8E4M3FN:
    return {8, 3, 7, false, 0x7E, 0x7F};
  case FloatFormat::F8E5M2:
    return {8, 2, 15, true, 0x7B, 0x7E};
  }
  return {};
}

std::optional<FloatFormat> parseFormat(const std::string &name) {
  for (FloatFormat f : {FloatFormat::F32, FloatFormat::BF16, FloatFormat::F16,
                        FloatFormat::F8E4M3FN, FloatFormat::F8E5M2})
    if (name == formatName(f))
      return f;
  return std::nullopt;
}

const char *formatName(FloatFormat f) {
  switch (f) {
  case FloatFormat::F32:
    return "f32";
  case FloatFormat::BF16:
    return "bf16";
  case FloatFormat::F16:
    return "f16";
  case FloatFormat::F8E4M3FN:
    return "f8E4M3FN";
  case FloatFormat::F8E5M2:
    return "f8E5M2";
  }
  return "";
}

unsigned lmulOffsetBits(unsigned k) { return k <= 3 ? k : k == 4 ? 3 : 4; }

namespace {
enum class Kind { Zero, Normal, Inf, NaN };

struct Parts {
  uint32_t sign, magnitude;
  Kind kind;
};

} // namespace

static Parts split(const FormatInfo &fi, uint32_t bits) {
  uint32_t signBit = 1u << (fi.bits - 1);
  Parts p{bits & signBit, bits & (signBit - 1), Kind::Normal};
  uint32_t expField = p.magnitude >> fi.mantissa;
  uint32_t expMax = (1u << (fi.bits - 1 - fi.mantissa)) - 1;
  if (expField == 0)
    p.kind = Kind::Zero; // zero or subnormal: flushed
  else if (!fi.hasInf && p.magnitude == fi.nan)
    p.kind = Kind::NaN;
  else if (fi.hasInf && expField == expMax)
    p.kind = (p.magnitude & ((1u << fi.mantissa) - 1)) ? Kind::NaN : Kind::Inf;
  return p;
}

uint32_t lmulBits(FloatFormat f, unsigned k, uint32_t x, uint32_t y) {
  FormatInfo fi = formatInfo(f);
  Parts px = split(fi, x), py = split(fi, y);
  uint32_t sign = px.sign ^ py.sign;
  uint32_t inf = fi.hasInf ? (fi.maxFinite + 1) : fi.maxFinite;
  if (px.kind == Kind::NaN || py.kind == Kind::NaN)
    return fi.nan;
  if (px.kind == Kind::Inf || py.kind == Kind::Inf) {
    if (px.kind == Kind::Zero || py.kind == Kind::Zero)
      return fi.nan;
    return sign | inf;
  }
  if (px.kind == Kind::Zero || py.kind == Kind::Zero)
    return sign;
  uint32_t truncMask = ~((1u << (fi.mantissa - k)) - 1);
  int64_t sum = int64_t(px.magnitude & truncMask) +
                int64_t(py.magnitude & truncMask) -
                (int64_t(fi.bias) << fi.mantissa) +
                (int64_t(1) << (fi.mantissa - lmulOffsetBits(k)));
  if (sum < (int64_t(1) << fi.mantissa))
    return sign; // exponent underflow
  if (sum > int64_t(fi.maxFinite))
    return sign | inf; // exponent overflow (saturates without inf)
  return sign | uint32_t(sum);
}

double decode(FloatFormat f, uint32_t bits) {
  FormatInfo fi = formatInfo(f);
  Parts p = split(fi, bits);
  double s = p.sign ? -1.0 : 1.0;
  if (p.kind == Kind::NaN)
    return std::nan("");
  if (p.kind == Kind::Inf)
    return s * INFINITY;
  uint32_t expField = p.magnitude >> fi.mantissa;
  uint32_t mant = p.magnitude & ((1u << fi.mantissa) - 1);
  if (expField == 0) // subnormal (decoded exactly, flushed only by L-Mul)
    return s * std::ldexp(double(mant), 1 - fi.bias - int(fi.mantissa));
  return s * std::ldexp(double(mant + (1u << fi.mantissa)),
                        int(expField) - fi.bias - int(fi.mantissa));
}

uint32_t encode(FloatFormat f, double v) {
  FormatInfo fi = formatInfo(f);
  uint32_t signBit = 1u << (fi.bits - 1);
  if (std::isnan(v))
    return fi.nan;
  uint32_t sign = std::signbit(v) ? signBit : 0;
  double a = std::fabs(v);
  double maxVal = decode(f, fi.maxFinite);
  uint32_t inf = fi.hasInf ? fi.maxFinite + 1 : fi.maxFinite;
  if (std::isinf(a))
    return sign | inf;
  if (a == 0)
    return sign;
  int e;
  std::frexp(a, &e);                      // a = frac * 2^e, frac in [0.5, 1)
  int exp = std::max(e - 1, 1 - fi.bias); // unbiased exponent, subnormal floor
  double ulp = std::ldexp(1.0, exp - int(fi.mantissa));
  double q = std::nearbyint(a / ulp) * ulp; // exact scaling: RNE at ulp
  if (q > maxVal) {
    // IEEE overflow: round to inf past max + ulp/2; without inf, saturate.
    double half =
        std::ldexp(1.0, int(std::log2(maxVal)) - int(fi.mantissa) - 1);
    if (!fi.hasInf || a < maxVal + half)
      return sign | fi.maxFinite;
    return sign | inf;
  }
  if (q == 0) // rounded below the smallest subnormal
    return sign;
  // Re-encode q exactly.
  std::frexp(q, &e);
  int unb = e - 1;
  if (unb < 1 - fi.bias) // subnormal
    return sign | uint32_t(q / std::ldexp(1.0, 1 - fi.bias - int(fi.mantissa)));
  uint32_t mant =
      uint32_t(std::ldexp(q, int(fi.mantissa) - unb)) - (1u << fi.mantissa);
  return sign | (uint32_t(unb + fi.bias) << fi.mantissa) | mant;
}

uint32_t lmulToF32Bits(FloatFormat f, unsigned k, uint32_t x, uint32_t y) {
  if (f == FloatFormat::F32)
    return lmulBits(f, k, x, y);
  float v = static_cast<float>(decode(f, lmulBits(f, k, x, y)));
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof(bits));
  return std::isnan(v) ? 0x7FC00000 : bits;
}

void lmulMatmul(FloatFormat f, unsigned k, const uint32_t *a, const uint32_t *b,
                const float *init, int64_t m, int64_t n, int64_t depth,
                float *c) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      float acc = init[i * n + j];
      for (int64_t p = 0; p < depth; ++p) {
        uint32_t bits = lmulToF32Bits(f, k, a[i * depth + p], b[p * n + j]);
        float v;
        std::memcpy(&v, &bits, sizeof(v));
        acc += v;
      }
      c[i * n + j] = acc;
    }
}

} // namespace mmfree::numerics
