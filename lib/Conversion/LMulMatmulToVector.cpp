//===- LMulMatmulToVector.cpp - mmfree.lmul_matmul -> vector kernel -------===//
//
// The fast CPU path of L-Mul matmuls. Everything that depends on one operand
// only is computed once per element, in prologue generics:
//   A[m,k] -> one i32: sign in bit 31, the k-bit truncated magnitude shifted
//             to f32's mantissa position (0 for zero or subnormal);
//   B[k,n] -> P = magnitude (as above) + re-bias + 2^-l(k) offset + D, and,
//             for A positive/negative and A nonzero/zero, the sign to apply
//             and the keep mask (B nonzero) as [2, K, N] tables.
// The product's f32 bits are then S = a + P - D. D centres S in u32 so that
// one unsigned compare finds exponent underflow and one umin (or compare and
// select) clamps overflow for every format. The inner loop, over 16 output
// columns per vector and k in increasing order (the reference order), is:
// add, umin, sub, compare, select, and, xor, and one f32 add. Operands with
// inf or NaN anywhere take the exact per-product generic instead.
//
//===----------------------------------------------------------------------===//

#include "LMulBuilders.h"
#include "mmfree/Conversion/Passes.h"
#include "mmfree/Numerics/LMul.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mmfree;

namespace {

using utils::IteratorType;

constexpr int64_t kLanes = 16;
constexpr int64_t kVectorsPerTile = 2;
constexpr int64_t kTile = kLanes * kVectorsPerTile;
/// Centres the product's f32 bits in u32 (checked for every format and k).
constexpr int64_t kCentre = 0x3F000000;

/// Constants of the kernel for one format and k, as f32 bit patterns.
struct KernelConstants {
  numerics::FormatInfo fi;
  int64_t bias32;     // re-bias and 2^-l(k) offset, added to B's magnitude
  int64_t low;        // smallest normal result (as f32 bits)
  int64_t high;       // largest finite result
  bool overflowToInf; // overflow gives inf, not a clamp to `high`
};

KernelConstants constantsFor(numerics::FloatFormat f, unsigned k) {
  KernelConstants c;
  c.fi = numerics::formatInfo(f);
  unsigned m = c.fi.mantissa, shift = 23 - m;
  int64_t bias = c.fi.bias;
  c.bias32 = (((int64_t(1) << (m - numerics::lmulOffsetBits(k))) - (bias << m))
              << shift) +
             ((127 - bias) << 23);
  c.low = (128 - bias) << 23;
  c.high = (int64_t(c.fi.maxFinite) << shift) + ((127 - bias) << 23);
  // With f32's exponent range (f32, bf16) every overflow lands at or past
  // f32's inf, so the clamp to inf is a plain umin.
  c.overflowToInf = c.fi.hasInf && c.fi.bias != 127;
  return c;
}

Value i32Const(OpBuilder &b, Location loc, Type type, int64_t v) {
  return splat(b, loc, type, int64_t(int32_t(uint32_t(v))));
}

/// Bits of `x` widened to i32, its magnitude truncated to k bits and moved to
/// f32's mantissa position, its sign at bit 31, and whether it is zero or
/// subnormal / inf or NaN.
struct Split {
  Value magnitude32, sign32, isZero, isSpecial;
};

Split splitOperand(OpBuilder &b, Location loc, Value x,
                   const KernelConstants &c, unsigned k) {
  const numerics::FormatInfo &fi = c.fi;
  Type i32 = b.getI32Type();
  Value bits = arith::BitcastOp::create(b, loc, b.getIntegerType(fi.bits), x);
  if (fi.bits < 32)
    bits = arith::ExtUIOp::create(b, loc, i32, bits);
  auto cst = [&](int64_t v) { return i32Const(b, loc, i32, v); };
  int64_t signBit = int64_t(1) << (fi.bits - 1);
  Value mag = arith::AndIOp::create(b, loc, bits, cst(signBit - 1));
  int64_t trunc = ~((int64_t(1) << (fi.mantissa - k)) - 1) & (signBit - 1);
  Split s;
  s.magnitude32 = arith::ShLIOp::create(
      b, loc, arith::AndIOp::create(b, loc, mag, cst(trunc)),
      cst(23 - fi.mantissa));
  s.sign32 = arith::ShLIOp::create(
      b, loc, arith::AndIOp::create(b, loc, bits, cst(signBit)),
      cst(32 - fi.bits));
  using P = arith::CmpIPredicate;
  s.isZero = arith::CmpIOp::create(b, loc, P::ult, mag,
                                   cst(int64_t(1) << fi.mantissa));
  s.isSpecial =
      fi.hasInf ? arith::CmpIOp::create(b, loc, P::ugt, mag, cst(fi.maxFinite))
                : arith::CmpIOp::create(b, loc, P::eq, mag, cst(fi.nan));
  return s;
}

Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Type elt,
                  ValueRange dyn = {}) {
  return tensor::EmptyOp::create(b, loc, shape, elt, dyn);
}

/// Whether any element of the 2-D `t` is inf or NaN, as an i1.
Value anySpecial(OpBuilder &b, Location loc, Value t, const KernelConstants &c,
                 unsigned k) {
  MLIRContext *ctx = b.getContext();
  Type i1 = b.getI1Type();
  Value init = linalg::FillOp::create(b, loc, ValueRange{splat(b, loc, i1, 0)},
                                      ValueRange{emptyTensor(b, loc, {}, i1)})
                   .getResult(0);
  Value flag =
      linalg::GenericOp::create(
          b, loc, init.getType(), t, init,
          ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(2, ctx),
                              AffineMap::get(2, 0, {}, ctx)},
          ArrayRef<IteratorType>{IteratorType::reduction,
                                 IteratorType::reduction},
          [&](OpBuilder &bb, Location l, ValueRange args) {
            Split s = splitOperand(bb, l, args[0], c, k);
            linalg::YieldOp::create(
                bb, l,
                Value(arith::OrIOp::create(bb, l, args[1], s.isSpecial)));
          })
          .getResult(0);
  return tensor::ExtractOp::create(b, loc, flag, ValueRange{});
}

struct LMulMatmulToVector : OpRewritePattern<LMulMatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LMulMatmulOp op,
                                PatternRewriter &rewriter) const override {
    auto lhsType = op.getLhs().getType(), rhsType = op.getRhs().getType();
    bool transposed = op.getTransposeRhs();
    if (!rhsType.hasStaticShape() || lhsType.isDynamicDim(1))
      return rewriter.notifyMatchFailure(op, "needs static K and N");
    Location loc = op.getLoc();
    unsigned k = op.getMantissaBits();
    KernelConstants c = constantsFor(*getLMulFormat(lhsType), k);
    int64_t depth = lhsType.getDimSize(1);
    int64_t n = rhsType.getDimSize(transposed ? 0 : 1);
    int64_t paddedN = (n + kTile - 1) / kTile * kTile;

    Value special = arith::OrIOp::create(
        rewriter, loc, anySpecial(rewriter, loc, op.getLhs(), c, k),
        anySpecial(rewriter, loc, op.getRhs(), c, k));
    auto ifOp = scf::IfOp::create(
        rewriter, loc, special,
        [&](OpBuilder &b, Location l) {
          scf::YieldOp::create(b, l,
                               buildLMulMatmulGeneric(b, l, op.getLhs(),
                                                      op.getRhs(), op.getInit(),
                                                      k, transposed));
        },
        [&](OpBuilder &b, Location l) {
          scf::YieldOp::create(b, l,
                               fastKernel(b, l, op, c, k, depth, n, paddedN));
        });
    rewriter.replaceOp(op, ifOp.getResults());
    return success();
  }

  static Value fastKernel(OpBuilder &b, Location loc, LMulMatmulOp op,
                          const KernelConstants &c, unsigned k, int64_t depth,
                          int64_t n, int64_t paddedN) {
    MLIRContext *ctx = b.getContext();
    Type i32 = b.getI32Type();
    bool transposed = op.getTransposeRhs();
    Value mSize = tensor::DimOp::create(b, loc, op.getLhs(), 0);

    // A -> sign | magnitude, one i32 per element.
    SmallVector<Value> dynM;
    if (op.getLhs().getType().isDynamicDim(0))
      dynM.push_back(mSize);
    AffineMap id2 = AffineMap::getMultiDimIdentityMap(2, ctx);
    Value aPacked =
        linalg::GenericOp::create(
            b, loc,
            RankedTensorType::get(op.getLhs().getType().getShape(), i32),
            op.getLhs(),
            emptyTensor(b, loc, op.getLhs().getType().getShape(), i32, dynM),
            ArrayRef<AffineMap>{id2, id2},
            ArrayRef<IteratorType>{IteratorType::parallel,
                                   IteratorType::parallel},
            [&](OpBuilder &bb, Location l, ValueRange args) {
              Split s = splitOperand(bb, l, args[0], c, k);
              Value mag = arith::SelectOp::create(
                  bb, l, s.isZero, i32Const(bb, l, i32, 0), s.magnitude32);
              linalg::YieldOp::create(
                  bb, l, Value(arith::OrIOp::create(bb, l, mag, s.sign32)));
            })
            .getResult(0);

    // B, zero-padded to paddedN columns (zero columns keep nothing).
    Value rhs = op.getRhs();
    Type elt = op.getRhs().getType().getElementType();
    if (paddedN != n) {
      SmallVector<int64_t> shape = {depth, paddedN};
      SmallVector<OpFoldResult> low = {b.getIndexAttr(0), b.getIndexAttr(0)};
      SmallVector<OpFoldResult> high = {b.getIndexAttr(0), b.getIndexAttr(0)};
      if (transposed)
        std::swap(shape[0], shape[1]);
      high[transposed ? 0 : 1] = b.getIndexAttr(paddedN - n);
      Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(elt));
      rhs = tensor::PadOp::create(b, loc, RankedTensorType::get(shape, elt),
                                  rhs, ArrayRef<OpFoldResult>(low),
                                  ArrayRef<OpFoldResult>(high), zero);
    }
    AffineMap rhsMap2 =
        transposed ? AffineMap::getPermutationMap(ArrayRef<unsigned>{1, 0}, ctx)
                   : id2;
    Value bP = linalg::GenericOp::create(
                   b, loc, RankedTensorType::get({depth, paddedN}, i32), rhs,
                   emptyTensor(b, loc, {depth, paddedN}, i32),
                   ArrayRef<AffineMap>{rhsMap2, id2},
                   ArrayRef<IteratorType>{IteratorType::parallel,
                                          IteratorType::parallel},
                   [&](OpBuilder &bb, Location l, ValueRange args) {
                     Split s = splitOperand(bb, l, args[0], c, k);
                     linalg::YieldOp::create(
                         bb, l,
                         Value(arith::AddIOp::create(
                             bb, l, s.magnitude32,
                             i32Const(bb, l, i32, c.bias32 + kCentre))));
                   })
                   .getResult(0);
    // [t, k, n] tables: t = A's sign bit for the sign, A is zero for keep.
    AffineExpr t, kk, nn;
    bindDims(ctx, t, kk, nn);
    AffineMap rhsMap3 =
        AffineMap::get(3, 0,
                       transposed ? ArrayRef<AffineExpr>{nn, kk}
                                  : ArrayRef<AffineExpr>{kk, nn},
                       ctx);
    AffineMap id3 = AffineMap::getMultiDimIdentityMap(3, ctx);
    auto tableType = RankedTensorType::get({2, depth, paddedN}, i32);
    auto tables = linalg::GenericOp::create(
        b, loc, TypeRange{tableType, tableType}, ValueRange{rhs},
        ValueRange{emptyTensor(b, loc, {2, depth, paddedN}, i32),
                   emptyTensor(b, loc, {2, depth, paddedN}, i32)},
        ArrayRef<AffineMap>{rhsMap3, id3, id3},
        SmallVector<IteratorType>(3, IteratorType::parallel),
        [&](OpBuilder &bb, Location l, ValueRange args) {
          Split s = splitOperand(bb, l, args[0], c, k);
          Value tIdx = linalg::IndexOp::create(bb, l, 0);
          Value second =
              arith::CmpIOp::create(bb, l, arith::CmpIPredicate::eq, tIdx,
                                    arith::ConstantIndexOp::create(bb, l, 1));
          Value sign = arith::XOrIOp::create(
              bb, l, s.sign32,
              arith::SelectOp::create(bb, l, second,
                                      i32Const(bb, l, i32, 0x80000000),
                                      i32Const(bb, l, i32, 0)));
          Value drop = arith::OrIOp::create(bb, l, second, s.isZero);
          Value keep = arith::SelectOp::create(
              bb, l, drop, i32Const(bb, l, i32, 0), i32Const(bb, l, i32, -1));
          linalg::YieldOp::create(bb, l, ValueRange{sign, keep});
        });
    Value signs = tables.getResult(0), keeps = tables.getResult(1);

    auto idx = [&](OpBuilder &bb, int64_t v) -> Value {
      return arith::ConstantIndexOp::create(bb, loc, v);
    };
    auto f32Vec = VectorType::get({kLanes}, b.getF32Type());
    auto i32Vec = VectorType::get({kLanes}, i32);
    auto tiles = scf::ForOp::create(
        b, loc, idx(b, 0), idx(b, paddedN), idx(b, kTile), op.getInit(),
        [&](OpBuilder &b1, Location l, Value n0, ValueRange outer) {
          auto rows = scf::ForOp::create(
              b1, l, idx(b1, 0), mSize, idx(b1, 1), outer[0],
              [&](OpBuilder &b2, Location l2, Value m, ValueRange mid) {
                Value result = mid[0];
                SmallVector<Value> cols, accs;
                Value zeroF =
                    arith::ConstantOp::create(b2, l2, b2.getF32FloatAttr(0));
                for (int64_t v = 0; v < kVectorsPerTile; ++v) {
                  cols.push_back(
                      arith::AddIOp::create(b2, l2, n0, idx(b2, v * kLanes)));
                  accs.push_back(vector::TransferReadOp::create(
                      b2, l2, f32Vec, result, ValueRange{m, cols[v]}, zeroF,
                      ArrayRef<bool>{false}));
                }
                auto kLoop = scf::ForOp::create(
                    b2, l2, idx(b2, 0), idx(b2, depth), idx(b2, 1), accs,
                    [&](OpBuilder &b3, Location l3, Value r, ValueRange acc) {
                      scf::YieldOp::create(b3, l3,
                                           step(b3, l3, c, aPacked, bP, signs,
                                                keeps, m, r, cols, acc, i32Vec,
                                                f32Vec));
                    });
                for (int64_t v = 0; v < kVectorsPerTile; ++v)
                  result = vector::TransferWriteOp::create(
                               b2, l2, kLoop.getResult(v), result,
                               ValueRange{m, cols[v]}, ArrayRef<bool>{false})
                               .getResult();
                scf::YieldOp::create(b2, l2, result);
              });
          scf::YieldOp::create(b1, l, rows.getResult(0));
        });
    return tiles.getResult(0);
  }

  /// acc[v] += lmul(A[m,r], B[r, cols[v] .. +16]) for each vector v.
  static SmallVector<Value> step(OpBuilder &b, Location loc,
                                 const KernelConstants &c, Value aPacked,
                                 Value bP, Value signs, Value keeps, Value m,
                                 Value r, ArrayRef<Value> cols, ValueRange acc,
                                 VectorType i32Vec, VectorType f32Vec) {
    Type i32 = b.getI32Type();
    auto cst = [&](Type type, int64_t v) { return i32Const(b, loc, type, v); };
    // Per-(m, r) scalars: magnitude and the two table rows to use.
    Value a = tensor::ExtractOp::create(b, loc, aPacked, ValueRange{m, r});
    Value mag = arith::AndIOp::create(b, loc, a, cst(i32, 0x7FFFFFFF));
    Value signRow = arith::IndexCastUIOp::create(
        b, loc, b.getIndexType(),
        arith::ShRUIOp::create(b, loc, a, cst(i32, 31)));
    Value keepRow = arith::IndexCastUIOp::create(
        b, loc, b.getIndexType(),
        arith::ExtUIOp::create(b, loc, i32,
                               arith::CmpIOp::create(b, loc,
                                                     arith::CmpIPredicate::eq,
                                                     mag, cst(i32, 0))));
    Value magVec = vector::BroadcastOp::create(b, loc, i32Vec, mag);
    Value padI = cst(i32, 0);
    using P = arith::CmpIPredicate;
    SmallVector<Value> next;
    for (size_t v = 0; v < cols.size(); ++v) {
      auto read = [&](Value t, ValueRange idx) -> Value {
        return vector::TransferReadOp::create(b, loc, i32Vec, t, idx, padI,
                                              ArrayRef<bool>{true});
      };
      Value p = read(bP, {r, cols[v]});
      Value sign = read(signs, {signRow, r, cols[v]});
      Value keep = read(keeps, {keepRow, r, cols[v]});
      Value s = arith::AddIOp::create(b, loc, magVec, p);
      Value clamped;
      if (c.overflowToInf) {
        Value over = arith::CmpIOp::create(b, loc, P::ugt, s,
                                           cst(i32Vec, c.high + kCentre));
        clamped = arith::SelectOp::create(b, loc, over,
                                          cst(i32Vec, 0x7F800000 + kCentre), s);
      } else {
        clamped = arith::MinUIOp::create(
            b, loc, s,
            cst(i32Vec, (c.fi.hasInf ? 0x7F800000 : c.high) + kCentre));
      }
      Value bits = arith::SubIOp::create(b, loc, clamped, cst(i32Vec, kCentre));
      Value normal = arith::CmpIOp::create(b, loc, P::uge, s,
                                           cst(i32Vec, c.low + kCentre));
      bits = arith::SelectOp::create(b, loc, normal, bits, cst(i32Vec, 0));
      bits = arith::AndIOp::create(b, loc, bits, keep);
      bits = arith::XOrIOp::create(b, loc, bits, sign);
      next.push_back(arith::AddFOp::create(
          b, loc, acc[v], arith::BitcastOp::create(b, loc, f32Vec, bits)));
    }
    return next;
  }
};

} // namespace

void mmfree::populateLMulMatmulToVectorPatterns(RewritePatternSet &patterns) {
  patterns.add<LMulMatmulToVector>(patterns.getContext());
}
