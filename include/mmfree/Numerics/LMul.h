//===- LMul.h - Reference semantics of L-Mul --------------------*- C++ -*-===//
//
// L-Mul ("Addition is All You Need for Energy-efficient Language Models",
// arXiv 2410.00907): a float product approximated by one integer addition of
// the operands' bit patterns. Every lowering must match lmulBits bit for bit.
//
//===----------------------------------------------------------------------===//

#ifndef MMFREE_NUMERICS_LMUL_H
#define MMFREE_NUMERICS_LMUL_H

#include <cstdint>
#include <optional>
#include <string>

namespace mmfree::numerics {

enum class FloatFormat { F32, BF16, F16, F8E4M3FN, F8E5M2 };

struct FormatInfo {
  unsigned bits;      // storage width
  unsigned mantissa;  // stored mantissa bits m
  int bias;           // exponent bias B
  bool hasInf;        // false for f8E4M3FN (saturates to the largest finite)
  uint32_t maxFinite; // bit pattern of the largest finite magnitude
  uint32_t nan;       // canonical quiet NaN pattern (positive)
};

FormatInfo formatInfo(FloatFormat f);
std::optional<FloatFormat> parseFormat(const std::string &name);
const char *formatName(FloatFormat f);

/// Offset exponent l(k) of the paper: k if k <= 3, 3 if k == 4, 4 if k > 4.
unsigned lmulOffsetBits(unsigned k);

/// L-Mul of two bit patterns of format `f` at k <= m mantissa bits:
/// operands are truncated to k bits, then for finite normal nonzero inputs
/// bits = |X| + |Y| - (B << m) + (1 << (m - l(k))), sign = sx ^ sy, where a
/// mantissa carry moves into the exponent. Zero or subnormal operands flush
/// to signed zero; NaN -> NaN; inf * nonzero -> inf; inf * 0 -> NaN;
/// exponent overflow -> inf (largest finite without inf); underflow -> 0.
uint32_t lmulBits(FloatFormat f, unsigned k, uint32_t x, uint32_t y);

/// Exact value of a bit pattern (as double; NaN and inf included).
double decode(FloatFormat f, uint32_t bits);

/// Round-to-nearest-even encoding of a double (saturating to the largest
/// finite in formats without inf, NaN to the canonical NaN). Subnormal
/// results are produced where the format has them.
uint32_t encode(FloatFormat f, double v);

/// Bit pattern of the f32 value equal to the L-Mul result: every L-Mul
/// result is exactly representable in f32 (no subnormal results).
uint32_t lmulToF32Bits(FloatFormat f, unsigned k, uint32_t x, uint32_t y);

/// C[m,n] = init[m,n] + sum_{k=0..K-1} lmul(A[m,k], B[k,n]), summed in f32 in
/// increasing k. A and B hold bit patterns of format `f`, row-major.
void lmulMatmul(FloatFormat f, unsigned k, const uint32_t *a, const uint32_t *b,
                const float *init, int64_t m, int64_t n, int64_t depth,
                float *c);

} // namespace mmfree::numerics

#endif // MMFREE_NUMERICS_LMUL_H
