//===- LMulBuilders.cpp - L-Mul as integer IR -----------------------------===//

#include "mmfree/Codegen/Utils/LMulBuilders.h"
#include "mmfree/Dialect/MMFree/IR/MMFree.h"
#include "mmfree/Numerics/LMul.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;

namespace mmfree {

Type withElement(Type type, Type elt) {
  if (auto vec = dyn_cast<VectorType>(type))
    return vec.clone(elt);
  return elt;
}

Value splat(OpBuilder &b, Location loc, Type type, int64_t value) {
  Type elt = getElementTypeOrSelf(type);
  TypedAttr attr = isa<FloatType>(elt)
                       ? TypedAttr(b.getFloatAttr(elt, double(value)))
                       : TypedAttr(b.getIntegerAttr(elt, value));
  if (auto vec = dyn_cast<VectorType>(type))
    attr = DenseElementsAttr::get(vec, attr);
  return arith::ConstantOp::create(b, loc, attr);
}

namespace {

/// The L-Mul result before encoding: sign and magnitude in the format's bit
/// layout (in a wide integer type), and whether it is NaN or inf.
struct LMulParts {
  Value sign, magnitude, isNaN, isInf;
  Type wide; // i32, or i64 for f32 (two f32 magnitudes overflow i32)
};

} // namespace

static LMulParts buildParts(OpBuilder &b, Location loc, Value x, Value y,
                            unsigned k) {
  numerics::FloatFormat format = *getLMulFormat(x.getType());
  numerics::FormatInfo fi = numerics::formatInfo(format);
  Type type = x.getType();
  Type narrow = withElement(type, b.getIntegerType(fi.bits));
  LMulParts p;
  p.wide = withElement(type, b.getIntegerType(fi.bits == 32 ? 64 : 32));
  auto c = [&](int64_t v) { return splat(b, loc, p.wide, v); };
  auto widen = [&](Value v) -> Value {
    return arith::ExtUIOp::create(b, loc, p.wide,
                                  arith::BitcastOp::create(b, loc, narrow, v));
  };
  Value xi = widen(x), yi = widen(y);
  int64_t signBit = int64_t(1) << (fi.bits - 1);
  p.sign = arith::AndIOp::create(b, loc, arith::XOrIOp::create(b, loc, xi, yi),
                                 c(signBit));
  Value mx = arith::AndIOp::create(b, loc, xi, c(signBit - 1));
  Value my = arith::AndIOp::create(b, loc, yi, c(signBit - 1));
  using P = arith::CmpIPredicate;
  auto cmp = [&](P pred, Value l, int64_t r) -> Value {
    return arith::CmpIOp::create(b, loc, pred, l, c(r));
  };
  auto orI = [&](Value l, Value r) -> Value {
    return arith::OrIOp::create(b, loc, l, r);
  };
  int64_t minNormal = int64_t(1) << fi.mantissa;
  Value anyZero = orI(cmp(P::ult, mx, minNormal), cmp(P::ult, my, minNormal));
  Value anyNaN, anyInf;
  if (fi.hasInf) {
    int64_t inf = fi.maxFinite + 1;
    anyNaN = orI(cmp(P::ugt, mx, inf), cmp(P::ugt, my, inf));
    anyInf = orI(cmp(P::eq, mx, inf), cmp(P::eq, my, inf));
  } else {
    anyNaN = orI(cmp(P::eq, mx, fi.nan), cmp(P::eq, my, fi.nan));
  }
  // Truncate to k bits, add, re-bias and add the 2^-l(k) offset.
  int64_t trunc = ~((int64_t(1) << (fi.mantissa - k)) - 1) & (signBit - 1);
  Value sum = arith::AddIOp::create(
      b, loc,
      arith::AddIOp::create(b, loc, arith::AndIOp::create(b, loc, mx, c(trunc)),
                            arith::AndIOp::create(b, loc, my, c(trunc))),
      c((int64_t(1) << (fi.mantissa - numerics::lmulOffsetBits(k))) -
        (int64_t(fi.bias) << fi.mantissa)));
  Value under = cmp(P::slt, sum, minNormal);
  Value over = cmp(P::sgt, sum, fi.maxFinite);
  Value zeroMag = orI(anyZero, under);
  Value mag = sum;
  if (!fi.hasInf) // saturate to the largest finite value
    mag = arith::SelectOp::create(b, loc, over, c(fi.maxFinite), mag);
  p.magnitude = arith::SelectOp::create(b, loc, zeroMag, c(0), mag);
  if (fi.hasInf) {
    // inf * 0 is NaN; inf * nonzero and overflow of nonzero operands is inf.
    anyNaN = orI(anyNaN, arith::AndIOp::create(b, loc, anyInf, anyZero));
    Value notZero = arith::XOrIOp::create(b, loc, anyZero,
                                          splat(b, loc, anyZero.getType(), 1));
    p.isInf = orI(anyInf, arith::AndIOp::create(b, loc, over, notZero));
  } else {
    p.isInf = splat(b, loc, anyZero.getType(), 0);
  }
  p.isNaN = anyNaN;
  return p;
}

static Value select3(OpBuilder &b, Location loc, const LMulParts &p, Value nan,
                     Value inf, Value finite) {
  return arith::SelectOp::create(
      b, loc, p.isNaN, nan,
      arith::SelectOp::create(b, loc, p.isInf, inf, finite));
}

Value buildLMul(OpBuilder &b, Location loc, Value x, Value y, unsigned k) {
  numerics::FormatInfo fi = numerics::formatInfo(*getLMulFormat(x.getType()));
  LMulParts p = buildParts(b, loc, x, y, k);
  auto c = [&](int64_t v) { return splat(b, loc, p.wide, v); };
  Value bits =
      select3(b, loc, p, c(fi.nan),
              arith::OrIOp::create(b, loc, p.sign, c(fi.maxFinite + 1)),
              arith::OrIOp::create(b, loc, p.sign, p.magnitude));
  Type narrow = withElement(x.getType(), b.getIntegerType(fi.bits));
  return arith::BitcastOp::create(
      b, loc, x.getType(), arith::TruncIOp::create(b, loc, narrow, bits));
}

Value buildLMulToF32(OpBuilder &b, Location loc, Value x, Value y, unsigned k) {
  numerics::FormatInfo fi = numerics::formatInfo(*getLMulFormat(x.getType()));
  LMulParts p = buildParts(b, loc, x, y, k);
  auto c = [&](int64_t v) { return splat(b, loc, p.wide, v); };
  // Re-encode a normal magnitude as f32: shift the mantissa up, re-bias.
  Value sign32 = p.sign, mag32 = p.magnitude;
  if (fi.bits != 32) {
    sign32 = arith::ShLIOp::create(b, loc, p.sign, c(32 - fi.bits));
    Value shifted = arith::AddIOp::create(
        b, loc, arith::ShLIOp::create(b, loc, p.magnitude, c(23 - fi.mantissa)),
        c(int64_t(127 - fi.bias) << 23));
    Value isZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                         p.magnitude, c(0));
    mag32 = arith::SelectOp::create(b, loc, isZero, c(0), shifted);
  }
  Value bits = select3(b, loc, p, c(0x7FC00000),
                       arith::OrIOp::create(b, loc, sign32, c(0x7F800000)),
                       arith::OrIOp::create(b, loc, sign32, mag32));
  Type i32 = withElement(x.getType(), b.getI32Type());
  Value bits32 = fi.bits == 32
                     ? arith::TruncIOp::create(b, loc, i32, bits).getResult()
                     : bits;
  return arith::BitcastOp::create(
      b, loc, withElement(x.getType(), b.getF32Type()), bits32);
}

Value buildLMulMatmulGeneric(OpBuilder &b, Location loc, Value lhs, Value rhs,
                             Value init, unsigned k, bool transposeRhs) {
  MLIRContext *ctx = b.getContext();
  AffineExpr m, n, r;
  bindDims(ctx, m, n, r);
  auto map = [&](ArrayRef<AffineExpr> e) {
    return AffineMap::get(3, 0, e, ctx);
  };
  using utils::IteratorType;
  return linalg::GenericOp::create(
             b, loc, init.getType(), ValueRange{lhs, rhs}, init,
             ArrayRef<AffineMap>{map({m, r}),
                                 transposeRhs ? map({n, r}) : map({r, n}),
                                 map({m, n})},
             ArrayRef<IteratorType>{IteratorType::parallel,
                                    IteratorType::parallel,
                                    IteratorType::reduction},
             [&](OpBuilder &bb, Location l, ValueRange args) {
               Value p = buildLMulToF32(bb, l, args[0], args[1], k);
               linalg::YieldOp::create(
                   bb, l, Value(arith::AddFOp::create(bb, l, args[2], p)));
             })
      .getResult(0);
}

} // namespace mmfree
