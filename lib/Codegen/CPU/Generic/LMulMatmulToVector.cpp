//===- LMulMatmulToVector.cpp - mmfree.lmul_matmul -> vector kernel -------===//
//
// The fast CPU path of L-Mul matmuls. Everything that depends on one operand
// only is computed once per element, in 16-lane prologue loops:
//   A[m,k] -> its k-bit truncated magnitude moved to f32's mantissa position,
//             and sel = 2 * (A < 0) + (A is zero or subnormal);
//   B[k,n] -> P = magnitude (as above) + re-bias + 2^-l(k) offset, and four
//             planes W[sel] = (B's sign xor A's) | (0x7FFFFFFF unless A or B
//             is zero or subnormal), tile-major so that a tile's block of k
//             is contiguous.
// For nonzero operands S = a + P is the product's f32 bits. One pass over
// each operand decides which checks the inner loop over 16 output columns
// and k in increasing order (the reference order) needs. With none it is
//   acc += bitcast((S | sign bit) & W[sel])
// i.e. one add, one three-input logic op and one f32 add; when products can
// underflow but not overflow, S < smallest normal also selects 0; when they
// can overflow, S is centred by D in u32, so that one unsigned compare finds
// underflow and one umin (or compare and select) clamps overflow for every
// format. Loops run
// over 32-column tiles, blocks of k whose B tables fill half the target's
// L1 (128 k with 32 KiB), and
// groups of 4 rows sharing the B loads. Operands holding inf or NaN take the
// exact per-product generic instead.
//
//===----------------------------------------------------------------------===//

#include "mmfree/Codegen/Passes.h"
#include "mmfree/Codegen/Utils/LMulBuilders.h"
#include "mmfree/Numerics/LMul.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/Support/DebugLog.h"

using namespace mlir;
using namespace mmfree;

#define DEBUG_TYPE "mmfree-lmul-to-vector"

namespace {

constexpr int64_t kLanes = 16;
constexpr int64_t kVectorsPerTile = 2;
constexpr int64_t kTile = kLanes * kVectorsPerTile;
constexpr int64_t kRowsPerGroup = 4;
constexpr int64_t kSignBit = 0x80000000;
/// Centres the product's f32 bits in u32 (checked for every format and k).
constexpr int64_t kCentre = 0x3F000000;

/// Which exponent checks the inner loop needs, from one pass over the
/// operands: none, underflow only (a signed compare on the uncentred sum,
/// which cannot wrap without overflow), or both (on the sum centred by D).
enum class Checks { None, Underflow, Both };

/// Constants of the kernel for one format and k, as f32 bit patterns.
struct KernelConstants {
  numerics::FormatInfo fi;
  int64_t bias32;     // re-bias and 2^-l(k) offset, added to B's magnitude
  int64_t low;        // smallest normal result (as f32 bits)
  int64_t high;       // largest finite result
  bool overflowToInf; // overflow gives inf, not a clamp to `high`
};

} // namespace

static KernelConstants constantsFor(numerics::FloatFormat f, unsigned k) {
  KernelConstants c;
  c.fi = numerics::formatInfo(f);
  unsigned m = c.fi.mantissa, shift = 23 - m;
  int64_t bias = c.fi.bias;
  // Multiplies, not shifts: the re-bias term is negative (a left shift of
  // a negative value is undefined).
  c.bias32 = ((int64_t(1) << (m - numerics::lmulOffsetBits(k))) -
              bias * (int64_t(1) << m)) *
                 (int64_t(1) << shift) +
             (127 - bias) * (int64_t(1) << 23);
  c.low = (128 - bias) << 23;
  c.high = (int64_t(c.fi.maxFinite) << shift) + ((127 - bias) << 23);
  // With f32's exponent range (f32, bf16) every overflow lands at or past
  // f32's inf, so the clamp to inf is a plain umin.
  c.overflowToInf = c.fi.hasInf && c.fi.bias != 127;
  return c;
}

static Value i32Const(OpBuilder &b, Location loc, Type type, int64_t v) {
  return splat(b, loc, type, int64_t(int32_t(uint32_t(v))));
}

namespace {

/// Bits of `x` widened to i32, its magnitude truncated to k bits and moved to
/// f32's mantissa position, its sign at bit 31, and whether it is zero or
/// subnormal / inf or NaN.
struct Split {
  Value magnitude32, sign32, isZero, isSpecial;
};

} // namespace

static Split splitOperand(OpBuilder &b, Location loc, Value x,
                          const KernelConstants &c, unsigned k) {
  const numerics::FormatInfo &fi = c.fi;
  Type i32 = withElement(x.getType(), b.getI32Type());
  Value bits = arith::BitcastOp::create(
      b, loc, withElement(x.getType(), b.getIntegerType(fi.bits)), x);
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

static Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                         Type elt, ValueRange dyn = {}) {
  return tensor::EmptyOp::create(b, loc, shape, elt, dyn);
}

namespace {

/// One pass over an operand: whether any element is inf or NaN, and the
/// largest and smallest `bias` + truncated magnitude over its nonzero finite
/// elements (INT32_MIN and INT32_MAX when there are none). A 16-lane vector
/// loop over rows and columns; lanes past the end read zero, which counts
/// for nothing.
struct OperandStats {
  Value anySpecial, max, min;
};

} // namespace

static OperandStats operandStats(OpBuilder &b, Location loc, Value t,
                                 const KernelConstants &c, unsigned k,
                                 int64_t bias) {
  auto type = cast<RankedTensorType>(t.getType());
  auto vec = VectorType::get({kLanes}, type.getElementType());
  auto i32Vec = VectorType::get({kLanes}, b.getI32Type());
  auto i1Vec = VectorType::get({kLanes}, b.getI1Type());
  auto idx = [&](OpBuilder &bb, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(bb, loc, v);
  };
  Value rows = tensor::DimOp::create(b, loc, t, 0);
  Value cols = tensor::DimOp::create(b, loc, t, 1);
  Value pad =
      arith::ConstantOp::create(b, loc, b.getZeroAttr(type.getElementType()));
  SmallVector<Value> inits = {splat(b, loc, i1Vec, 0),
                              i32Const(b, loc, i32Vec, INT32_MIN),
                              i32Const(b, loc, i32Vec, INT32_MAX)};
  auto outer = scf::ForOp::create(
      b, loc, idx(b, 0), rows, idx(b, 1), inits,
      [&](OpBuilder &b1, Location l1, Value r, ValueRange acc1) {
        auto inner = scf::ForOp::create(
            b1, l1, idx(b1, 0), cols, idx(b1, kLanes), acc1,
            [&](OpBuilder &b2, Location l2, Value c0, ValueRange acc) {
              Value x = vector::TransferReadOp::create(b2, l2, vec, t,
                                                       ValueRange{r, c0}, pad,
                                                       ArrayRef<bool>{false});
              Split s = splitOperand(b2, l2, x, c, k);
              Value value = arith::AddIOp::create(
                  b2, l2, s.magnitude32, i32Const(b2, l2, i32Vec, bias));
              Value ones = splat(b2, l2, i1Vec, 1);
              Value counted = arith::AndIOp::create(
                  b2, l2, arith::XOrIOp::create(b2, l2, s.isZero, ones),
                  arith::XOrIOp::create(b2, l2, s.isSpecial, ones));
              Value hi = arith::SelectOp::create(
                  b2, l2, counted,
                  arith::MaxSIOp::create(b2, l2, acc[1], value), acc[1]);
              Value lo = arith::SelectOp::create(
                  b2, l2, counted,
                  arith::MinSIOp::create(b2, l2, acc[2], value), acc[2]);
              scf::YieldOp::create(
                  b2, l2,
                  ValueRange{arith::OrIOp::create(b2, l2, acc[0], s.isSpecial),
                             hi, lo});
            });
        scf::YieldOp::create(b1, l1, inner.getResults());
      });
  using K = vector::CombiningKind;
  auto reduce = [&](K kind, unsigned i) -> Value {
    return vector::ReductionOp::create(b, loc, kind, outer.getResult(i));
  };
  return {reduce(K::OR, 0), reduce(K::MAXSI, 1), reduce(K::MINSI, 2)};
}

namespace {

struct LMulMatmulToVector : OpRewritePattern<LMulMatmulOp> {
  LMulMatmulToVector(MLIRContext *context, CpuTargetAttr target)
      : OpRewritePattern(context), blockK(blockFor(target.getL1dBytes())) {}

  /// The k of one block: a tile's B tables of a block (kTile i32 per k)
  /// fill at most half the L1, so that they stay there while the block's
  /// rows pass; a power of two in [16, 1024].
  static int64_t blockFor(int64_t l1dBytes) {
    int64_t fits = l1dBytes / 2 / (kTile * 4);
    return std::clamp<int64_t>(
        llvm::bit_floor(uint64_t(std::max<int64_t>(fits, 1))), 16, 1024);
  }

  int64_t blockK;

  LogicalResult matchAndRewrite(LMulMatmulOp op,
                                PatternRewriter &rewriter) const override {
    auto lhsType = op.getLhs().getType(), rhsType = op.getRhs().getType();
    bool transposed = op.getTransposeRhs();
    if (!rhsType.hasStaticShape() || lhsType.isDynamicDim(1))
      return rewriter.notifyMatchFailure(op, "needs static K and N");
    LDBG() << "L-Mul vector kernel for " << op;
    Location loc = op.getLoc();
    unsigned k = op.getMantissaBits();
    KernelConstants c = constantsFor(*getLMulFormat(lhsType), k);
    int64_t depth = lhsType.getDimSize(1);
    int64_t n = rhsType.getDimSize(transposed ? 0 : 1);
    int64_t paddedN = (n + kTile - 1) / kTile * kTile;

    OperandStats a = operandStats(rewriter, loc, op.getLhs(), c, k, 0);
    OperandStats b = operandStats(rewriter, loc, op.getRhs(), c, k, c.bias32);
    Value special =
        arith::OrIOp::create(rewriter, loc, a.anySpecial, b.anySpecial);
    // Without exponent overflow or underflow possible for any pair of
    // nonzero operands, the kernel skips both checks.
    Value noOverflow, noUnderflow;
    std::tie(noOverflow, noUnderflow) = rangeChecks(rewriter, loc, c, a, b);
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
                               fastKernel(b, l, op, c, k, depth, paddedN,
                                          std::min(depth, blockK), noOverflow,
                                          noUnderflow));
        });
    rewriter.replaceOp(op, ifOp.getResults());
    return success();
  }

  static Value fastKernel(OpBuilder &b, Location loc, LMulMatmulOp op,
                          const KernelConstants &c, unsigned k, int64_t depth,
                          int64_t paddedN, int64_t blockK, Value noOverflow,
                          Value noUnderflow) {
    bool transposed = op.getTransposeRhs();
    Value mSize = tensor::DimOp::create(b, loc, op.getLhs(), 0);

    SmallVector<Value> aSplit = splitLhs(b, loc, op.getLhs(), c, k);
    int64_t tiles = paddedN / kTile;
    Value bP, w;
    std::tie(bP, w) =
        buildRhsTables(b, loc, op.getRhs(), transposed, c, k, depth, tiles);

    auto idx = [&](OpBuilder &bb, int64_t v) -> Value {
      return arith::ConstantIndexOp::create(bb, loc, v);
    };
    auto loops = [&](OpBuilder &b, Location loc, Checks checks) -> Value {
      auto tileLoop = scf::ForOp::create(
          b, loc, idx(b, 0), idx(b, tiles), idx(b, 1), op.getInit(),
          [&](OpBuilder &b1, Location l1, Value tile, ValueRange outer) {
            Value n0 = arith::ShLIOp::create(b1, l1, tile,
                                             idx(b1, llvm::Log2_64(kTile)));
            auto blocks = scf::ForOp::create(
                b1, l1, idx(b1, 0), idx(b1, depth), idx(b1, blockK), outer[0],
                [&](OpBuilder &b2, Location l2, Value k0, ValueRange mid) {
                  Value kEnd = arith::MinUIOp::create(
                      b2, l2,
                      arith::AddIOp::create(b2, l2, k0, idx(b2, blockK)),
                      idx(b2, depth));
                  // Rows in groups sharing B's loads, then the rest.
                  auto rowLoop = [&](Value begin, Value end, int64_t group,
                                     Value init) -> Value {
                    return scf::ForOp::create(
                               b2, l2, begin, end, idx(b2, group), init,
                               [&](OpBuilder &b3, Location l3, Value m0,
                                   ValueRange in) {
                                 scf::YieldOp::create(
                                     b3, l3,
                                     rowGroup(b3, l3, c, checks, aSplit, bP, w,
                                              in[0], m0, group, tile, n0, k0,
                                              kEnd));
                               })
                        .getResult(0);
                  };
                  Value groupsEnd = arith::AndIOp::create(
                      b2, l2, mSize, idx(b2, ~int64_t(kRowsPerGroup - 1)));
                  Value result =
                      rowLoop(idx(b2, 0), groupsEnd, kRowsPerGroup, mid[0]);
                  result = rowLoop(groupsEnd, mSize, 1, result);
                  scf::YieldOp::create(b2, l2, result);
                });
            scf::YieldOp::create(b1, l1, blocks.getResult(0));
          });
      return tileLoop.getResult(0);
    };
    Value safe = arith::AndIOp::create(b, loc, noOverflow, noUnderflow);
    auto ifOp = scf::IfOp::create(
        b, loc, safe,
        [&](OpBuilder &bb, Location l) {
          scf::YieldOp::create(bb, l, loops(bb, l, Checks::None));
        },
        [&](OpBuilder &bb, Location l) {
          Value onlyUnder =
              scf::IfOp::create(
                  bb, l, noOverflow,
                  [&](OpBuilder &b2, Location l2) {
                    scf::YieldOp::create(b2, l2,
                                         loops(b2, l2, Checks::Underflow));
                  },
                  [&](OpBuilder &b2, Location l2) {
                    scf::YieldOp::create(b2, l2, loops(b2, l2, Checks::Both));
                  })
                  .getResult(0);
          scf::YieldOp::create(bb, l, onlyUnder);
        });
    return ifOp.getResult(0);
  }

  /// A -> its truncated magnitude and the selector of B's W plane:
  /// 2 * (A < 0) + (A is zero or subnormal). A 16-lane loop.
  static SmallVector<Value> splitLhs(OpBuilder &b, Location loc, Value lhs,
                                     const KernelConstants &c, unsigned k) {
    auto type = cast<RankedTensorType>(lhs.getType());
    Type i32 = b.getI32Type();
    auto vec = VectorType::get({kLanes}, type.getElementType());
    auto i32Vec = VectorType::get({kLanes}, i32);
    auto idx = [&](OpBuilder &bb, int64_t v) -> Value {
      return arith::ConstantIndexOp::create(bb, loc, v);
    };
    Value rows = tensor::DimOp::create(b, loc, lhs, 0);
    SmallVector<Value> dyn;
    if (type.isDynamicDim(0))
      dyn.push_back(rows);
    SmallVector<Value> outs = {emptyTensor(b, loc, type.getShape(), i32, dyn),
                               emptyTensor(b, loc, type.getShape(), i32, dyn)};
    Value pad =
        arith::ConstantOp::create(b, loc, b.getZeroAttr(type.getElementType()));
    auto outer = scf::ForOp::create(
        b, loc, idx(b, 0), rows, idx(b, 1), outs,
        [&](OpBuilder &b1, Location l1, Value r, ValueRange acc1) {
          auto inner = scf::ForOp::create(
              b1, l1, idx(b1, 0), idx(b1, type.getDimSize(1)), idx(b1, kLanes),
              acc1, [&](OpBuilder &b2, Location l2, Value c0, ValueRange acc) {
                Value x = vector::TransferReadOp::create(b2, l2, vec, lhs,
                                                         ValueRange{r, c0}, pad,
                                                         ArrayRef<bool>{false});
                Split s = splitOperand(b2, l2, x, c, k);
                Value sel = arith::OrIOp::create(
                    b2, l2,
                    arith::ShRUIOp::create(b2, l2, s.sign32,
                                           i32Const(b2, l2, i32Vec, 30)),
                    arith::ExtUIOp::create(b2, l2, i32Vec, s.isZero));
                Value values[] = {s.magnitude32, sel};
                SmallVector<Value> next;
                for (int i = 0; i < 2; ++i)
                  next.push_back(vector::TransferWriteOp::create(
                                     b2, l2, values[i], acc[i],
                                     ValueRange{r, c0}, ArrayRef<bool>{false})
                                     .getResult());
                scf::YieldOp::create(b2, l2, next);
              });
          scf::YieldOp::create(b1, l1, inner.getResults());
        });
    return {outer.getResult(0), outer.getResult(1)};
  }

  /// B's tables, tile-major so that the block a tile reads is contiguous:
  /// P [tiles][K][32] = magnitude + re-bias + offset, and the four planes
  /// W [4][tiles][K][32] the product's bits are and-ed with after setting
  /// the sign bit: plane sel = 2 * (A < 0) + (A is zero) holds B's sign
  /// xor A's, and B's magnitude mask (0x7FFFFFFF, or 0 when A or B is zero
  /// or subnormal). Columns past N read as zero. A 16-lane loop.
  static std::pair<Value, Value> buildRhsTables(OpBuilder &b, Location loc,
                                                Value rhs, bool transposed,
                                                const KernelConstants &c,
                                                unsigned k, int64_t depth,
                                                int64_t tiles) {
    MLIRContext *ctx = b.getContext();
    auto type = cast<RankedTensorType>(rhs.getType());
    Type i32 = b.getI32Type();
    auto vec = VectorType::get({kLanes}, type.getElementType());
    auto i32Vec = VectorType::get({kLanes}, i32);
    auto idx = [&](OpBuilder &bb, int64_t v) -> Value {
      return arith::ConstantIndexOp::create(bb, loc, v);
    };
    Value pad =
        arith::ConstantOp::create(b, loc, b.getZeroAttr(type.getElementType()));
    // N x K weights are read down a column.
    AffineMap readMap =
        transposed ? AffineMap::get(2, 0, getAffineDimExpr(0, ctx), ctx)
                   : AffineMap::get(2, 0, getAffineDimExpr(1, ctx), ctx);
    SmallVector<Value> outs = {
        emptyTensor(b, loc, {tiles, depth, kTile}, i32),
        emptyTensor(b, loc, {4, tiles, depth, kTile}, i32)};
    auto outer = scf::ForOp::create(
        b, loc, idx(b, 0), idx(b, tiles), idx(b, 1), outs,
        [&](OpBuilder &b1, Location l1, Value t, ValueRange acc1) {
          Value n0 =
              arith::ShLIOp::create(b1, l1, t, idx(b1, llvm::Log2_64(kTile)));
          auto inner = scf::ForOp::create(
              b1, l1, idx(b1, 0), idx(b1, depth), idx(b1, 1), acc1,
              [&](OpBuilder &b2, Location l2, Value r, ValueRange acc) {
                Value p = acc[0], planes = acc[1];
                for (int64_t v = 0; v < kVectorsPerTile; ++v) {
                  Value lane = idx(b2, v * kLanes);
                  Value col = arith::AddIOp::create(b2, l2, n0, lane);
                  Value x = vector::TransferReadOp::create(
                      b2, l2, vec, rhs,
                      transposed ? ValueRange{col, r} : ValueRange{r, col}, pad,
                      readMap, ArrayRef<bool>{false});
                  Split s = splitOperand(b2, l2, x, c, k);
                  p = vector::TransferWriteOp::create(
                          b2, l2,
                          arith::AddIOp::create(
                              b2, l2, s.magnitude32,
                              i32Const(b2, l2, i32Vec, c.bias32)),
                          p, ValueRange{t, r, lane}, ArrayRef<bool>{true})
                          .getResult();
                  Value mask = arith::SelectOp::create(
                      b2, l2, s.isZero, i32Const(b2, l2, i32Vec, 0),
                      i32Const(b2, l2, i32Vec, 0x7FFFFFFF));
                  Value base = arith::OrIOp::create(b2, l2, mask, s.sign32);
                  for (int64_t sel = 0; sel < 4; ++sel) {
                    Value plane = arith::XOrIOp::create(
                        b2, l2, (sel & 1) ? s.sign32 : base,
                        i32Const(b2, l2, i32Vec, (sel >> 1) ? kSignBit : 0));
                    planes = vector::TransferWriteOp::create(
                                 b2, l2, plane, planes,
                                 ValueRange{idx(b2, sel), t, r, lane},
                                 ArrayRef<bool>{true})
                                 .getResult();
                  }
                }
                scf::YieldOp::create(b2, l2, ValueRange{p, planes});
              });
          scf::YieldOp::create(b1, l1, inner.getResults());
        });
    return {outer.getResult(0), outer.getResult(1)};
  }

  /// Rows m0 .. m0+group-1 of column tile `tile` over k in [k0, kEnd):
  /// accumulators read from and written back to `result`.
  static Value rowGroup(OpBuilder &b, Location loc, const KernelConstants &c,
                        Checks checks, ValueRange aSplit, Value bP, Value w,
                        Value result, Value m0, int64_t group, Value tile,
                        Value n0, Value k0, Value kEnd) {
    auto f32Vec = VectorType::get({kLanes}, b.getF32Type());
    Value zeroF = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
    SmallVector<Value> rows, cols, accs;
    for (int64_t g = 0; g < group; ++g)
      rows.push_back(arith::AddIOp::create(
          b, loc, m0, arith::ConstantIndexOp::create(b, loc, g)));
    for (int64_t v = 0; v < kVectorsPerTile; ++v)
      cols.push_back(arith::AddIOp::create(
          b, loc, n0, arith::ConstantIndexOp::create(b, loc, v * kLanes)));
    for (Value m : rows)
      for (Value col : cols)
        accs.push_back(vector::TransferReadOp::create(b, loc, f32Vec, result,
                                                      ValueRange{m, col}, zeroF,
                                                      ArrayRef<bool>{false}));
    auto kLoop = scf::ForOp::create(
        b, loc, k0, kEnd, arith::ConstantIndexOp::create(b, loc, 1), accs,
        [&](OpBuilder &bb, Location l, Value r, ValueRange acc) {
          scf::YieldOp::create(
              bb, l, step(bb, l, c, checks, aSplit, bP, w, rows, r, tile, acc));
        });
    for (size_t g = 0; g < rows.size(); ++g)
      for (size_t v = 0; v < cols.size(); ++v)
        result = vector::TransferWriteOp::create(
                     b, loc, kLoop.getResult(g * cols.size() + v), result,
                     ValueRange{rows[g], cols[v]}, ArrayRef<bool>{false})
                     .getResult();
    return result;
  }

  /// acc[g, v] += lmul(A[rows[g], r], B[r, n0 + 16v .. +16]) for the rows g
  /// and the vectors v of column tile `tile` (starting at n0).
  static SmallVector<Value> step(OpBuilder &b, Location loc,
                                 const KernelConstants &c, Checks checks,
                                 ValueRange aSplit, Value bP, Value w,
                                 ArrayRef<Value> rows, Value r, Value tile,
                                 ValueRange acc) {
    auto i32Vec = VectorType::get({kLanes}, b.getI32Type());
    auto f32Vec = VectorType::get({kLanes}, b.getF32Type());
    auto cst = [&](int64_t v) { return i32Const(b, loc, i32Vec, v); };
    Value pad = i32Const(b, loc, b.getI32Type(), 0);
    SmallVector<Value> bTerms;
    for (int64_t v = 0; v < kVectorsPerTile; ++v) {
      Value lane = arith::ConstantIndexOp::create(b, loc, v * kLanes);
      bTerms.push_back(vector::TransferReadOp::create(
          b, loc, i32Vec, bP, ValueRange{tile, r, lane}, pad,
          ArrayRef<bool>{true}));
    }
    SmallVector<Value> next;
    for (Value m : rows) {
      Value aMag =
          tensor::ExtractOp::create(b, loc, aSplit[0], ValueRange{m, r});
      if (checks == Checks::Both) // these checks need the sum centred by D
        aMag = arith::AddIOp::create(b, loc, aMag,
                                     i32Const(b, loc, b.getI32Type(), kCentre));
      aMag = vector::BroadcastOp::create(b, loc, i32Vec, aMag);
      Value sel = arith::IndexCastUIOp::create(
          b, loc, b.getIndexType(),
          tensor::ExtractOp::create(b, loc, aSplit[1], ValueRange{m, r}));
      for (int64_t v = 0; v < kVectorsPerTile; ++v) {
        Value s = arith::AddIOp::create(b, loc, aMag, bTerms[v]);
        Value bits = s;
        if (checks == Checks::Both)
          bits = clampExponent(b, loc, c, s, i32Vec);
        if (checks == Checks::Underflow) // 0 below the smallest normal
          bits = arith::SelectOp::create(
              b, loc,
              arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, s,
                                    cst(c.low)),
              cst(0), s);
        // Sign and zeroing from W[sel]: (bits | sign bit) & W.
        Value lane = arith::ConstantIndexOp::create(b, loc, v * kLanes);
        Value mask = vector::TransferReadOp::create(
            b, loc, i32Vec, w, ValueRange{sel, tile, r, lane}, pad,
            ArrayRef<bool>{true});
        bits = arith::AndIOp::create(
            b, loc, arith::OrIOp::create(b, loc, bits, cst(kSignBit)), mask);
        next.push_back(arith::AddFOp::create(
            b, loc, acc[next.size()],
            arith::BitcastOp::create(b, loc, f32Vec, bits)));
      }
    }
    return next;
  }

  /// The f32 bits of S - D: 0 on exponent underflow, inf (or the largest
  /// finite value) on overflow.
  static Value clampExponent(OpBuilder &b, Location loc,
                             const KernelConstants &c, Value s,
                             VectorType i32Vec) {
    auto cst = [&](int64_t v) { return i32Const(b, loc, i32Vec, v); };
    using P = arith::CmpIPredicate;
    Value clamped;
    if (c.overflowToInf) {
      Value over =
          arith::CmpIOp::create(b, loc, P::ugt, s, cst(c.high + kCentre));
      clamped =
          arith::SelectOp::create(b, loc, over, cst(0x7F800000 + kCentre), s);
    } else {
      clamped = arith::MinUIOp::create(
          b, loc, s, cst((c.fi.hasInf ? 0x7F800000 : c.high) + kCentre));
    }
    Value bits = arith::SubIOp::create(b, loc, clamped, cst(kCentre));
    Value normal =
        arith::CmpIOp::create(b, loc, P::uge, s, cst(c.low + kCentre));
    return arith::SelectOp::create(b, loc, normal, bits, cst(0));
  }

  /// Whether no pair of nonzero operands can overflow (max|a| + max P <= the
  /// largest finite result) and whether none can underflow (min|a| + min P
  /// >= the smallest normal one).
  static std::pair<Value, Value> rangeChecks(OpBuilder &b, Location loc,
                                             const KernelConstants &c,
                                             const OperandStats &a,
                                             const OperandStats &bs) {
    Type i64 = b.getI64Type();
    auto sum = [&](Value x, Value y) -> Value {
      return arith::AddIOp::create(b, loc,
                                   arith::ExtSIOp::create(b, loc, i64, x),
                                   arith::ExtSIOp::create(b, loc, i64, y));
    };
    auto c64 = [&](int64_t v) {
      return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
    };
    Value noOverflow = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle,
                                             sum(a.max, bs.max), c64(c.high));
    Value noUnderflow = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge,
                                              sum(a.min, bs.min), c64(c.low));
    return {noOverflow, noUnderflow};
  }
};

} // namespace

void mmfree::populateLMulMatmulToVectorPatterns(RewritePatternSet &patterns,
                                                CpuTargetAttr target) {
  patterns.add<LMulMatmulToVector>(patterns.getContext(), target);
}
