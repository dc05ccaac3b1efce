//===- TernaryLookup.cpp - ternary_matmul as byte-shuffle table lookups ---===//
//
// The T-MAC-style lowering of mmfree.ternary_matmul (i8 activations,
// constant weights): w = p - q with p, q the bit planes of the +1 and -1
// weights. Per row and group g of 4 activations, a 16-entry table holds the
// sums of every subset of x[4g..4g+3] (exact in i16, |sum| <= 512), split
// into low and high bytes. Per group and 32/64 channels (lanes), one byte
// holds the channels' p nibble and q nibble (2 bits per weight, laid out
// [N/lanes][K/4][lanes] at compile time: one stream per chunk); four byte
// shuffles (mmfree.x86_shuffle_bytes, vpshufb) look up p's and q's sums for
// every lane, which are recombined into i16, subtracted and added in i16 for 32
// groups at a time (|sum| <= 16384), then in i32. Shuffles, shifts, masks,
// adds: no multiply.
//
//===----------------------------------------------------------------------===//

#include "mmfree/Codegen/Passes.h"
#include "mmfree/Codegen/Utils/BufferBuilders.h"
#include "mmfree/Codegen/Utils/LMulBuilders.h"
#include "mmfree/Codegen/Utils/TernaryBuilders.h"
#include "mmfree/Codegen/Utils/ThreadBuilders.h"
#include "mmfree/Numerics/Ternary.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/Support/DebugLog.h"

using namespace mlir;
using namespace mmfree;

#define DEBUG_TYPE "mmfree-ternary-lookup"

namespace {

constexpr int64_t kGroup = 4;      // activations per table
constexpr int64_t kEntries = 16;   // subsets of a group
constexpr int64_t kI16Groups = 32; // groups summed in i16 before widening

} // namespace

/// [N/lanes][K/4][lanes] bytes (each chunk of channels reads one
/// contiguous stream): bit i of the low nibble is set when weight 4g+i of
/// the channel is +1, of the high nibble when it is -1.
static std::vector<int8_t> bitPlanes(DenseIntElementsAttr packed, int64_t n,
                                     int64_t blocks, int64_t lanes) {
  auto values = packed.getValues<int8_t>();
  int64_t groups = blocks * numerics::kBlockWeights / kGroup;
  std::vector<int8_t> planes(groups * n, 0);
  for (int64_t ch = 0; ch < n; ++ch)
    for (int64_t k = 0; k < blocks * numerics::kBlockWeights; ++k) {
      int64_t t = k / 64, j = (k % 64) / 16, b = k % 16;
      int code = (uint8_t(values[(ch * blocks + t) * 16 + b]) >> (2 * j)) & 3;
      int bit = int(k % kGroup);
      int8_t &byte =
          planes[((ch / lanes) * groups + k / kGroup) * lanes + ch % lanes];
      if (code == 1)
        byte = int8_t(byte | (1 << bit));
      else if (code == 2)
        byte = int8_t(byte | (1 << (bit + 4)));
    }
  return planes;
}

namespace {

struct TernaryMatmulToLookups : OpRewritePattern<TernaryMatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(TernaryMatmulOp op,
                                PatternRewriter &rewriter) const override {
    auto kernel = op->getAttrOfType<KernelAttr>(kKernelAttrName);
    if (!kernel || kernel.getKind() != KernelKind::Lookup)
      return rewriter.notifyMatchFailure(op, "not a lookup kernel");
    // annotateKernels checked the rest (kernelMismatch): i8 activations,
    // i16/i32 sums, constant weights, N a multiple of lanes x threads.
    const int64_t lanes = kernelLanes(kernel), threads = kernel.getThreads();
    auto resultType = op.getResult().getType();
    Type accType = resultType.getElementType();
    int64_t n = resultType.getDimSize(1);
    DenseIntElementsAttr packed;
    if (!matchPattern(op.getWeights(), m_Constant(&packed)) ||
        n % (lanes * threads) != 0)
      return rewriter.notifyMatchFailure(op, "kernel does not apply");
    LDBG() << "lookup kernel, " << lanes << " lanes x " << threads
           << " threads, for " << op;
    Location loc = op.getLoc();
    int64_t blocks = op.getWeights().getType().getDimSize(1);
    int64_t groups = blocks * numerics::kBlockWeights / kGroup;
    Type i8 = rewriter.getI8Type(), i16 = rewriter.getI16Type(),
         i32 = rewriter.getI32Type();
    auto byteVec = VectorType::get({lanes}, i8);
    auto wideVec = VectorType::get({lanes}, i16);
    auto sumVec = VectorType::get({lanes}, i32);
    auto tableVec = VectorType::get({kEntries}, i16);
    auto idx = [&](OpBuilder &b, int64_t v) {
      return indexConstant(b, loc, v);
    };

    std::vector<int8_t> planeBytes = bitPlanes(packed, n, blocks, lanes);
    Value planes = readOnlyBuffer(
        rewriter, loc,
        arith::ConstantOp::create(
            rewriter, loc,
            DenseElementsAttr::get(
                RankedTensorType::get({n / lanes, groups, lanes}, i8),
                ArrayRef<int8_t>(planeBytes))));
    Value x = readOnlyBuffer(
        rewriter, loc, padToBlocks(rewriter, loc, op.getInput(), op.getK()));
    Value rows = memref::DimOp::create(rewriter, loc, x, 0);
    SmallVector<Value> dyn;
    if (resultType.isDynamicDim(0))
      dyn.push_back(rows);
    Value out = resultBuffer(rewriter, loc, resultType, dyn);
    // Every row's tables first, so that threads can share them.
    Value tables = memref::AllocOp::create(
        rewriter, loc,
        MemRefType::get({ShapedType::kDynamic, groups, 2 * kEntries}, i8),
        ValueRange{rows}, rewriter.getI64IntegerAttr(64));
    // Subset masks: entry s includes activation i when bit i of s is set.
    SmallVector<Value> subsetMasks;
    for (int64_t i = 0; i < kGroup; ++i) {
      SmallVector<bool> bits;
      for (int64_t s = 0; s < kEntries; ++s)
        bits.push_back((s >> i) & 1);
      subsetMasks.push_back(arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(
              VectorType::get({kEntries}, rewriter.getI1Type()),
              ArrayRef<bool>(bits))));
    }
    SmallVector<int64_t> broadcast;
    for (int64_t l = 0; l < lanes; ++l)
      broadcast.push_back(l % kEntries);

    scf::ForOp::create(
        rewriter, loc, idx(rewriter, 0), rows, idx(rewriter, 1), ValueRange(),
        [&](OpBuilder &b, Location l, Value m, ValueRange) {
          // This row's tables, low bytes then high bytes.
          scf::ForOp::create(
              b, l, idx(b, 0), idx(b, groups), idx(b, 1), ValueRange(),
              [&](OpBuilder &b, Location l, Value g, ValueRange) {
                Value k0 = arith::ShLIOp::create(b, l, g, idx(b, 2));
                Value table = zeroOf(b, l, tableVec);
                Value zero = zeroOf(b, l, tableVec);
                for (int64_t i = 0; i < kGroup; ++i) {
                  Value xi = memref::LoadOp::create(
                      b, l, x,
                      ValueRange{m,
                                 arith::AddIOp::create(b, l, k0, idx(b, i))});
                  Value all = vector::BroadcastOp::create(
                      b, l, tableVec, arith::ExtSIOp::create(b, l, i16, xi));
                  table = arith::AddIOp::create(
                      b, l, table,
                      arith::SelectOp::create(b, l, subsetMasks[i], all, zero));
                }
                Value eight = splat(b, l, tableVec, 8);
                Value low = arith::TruncIOp::create(
                    b, l, VectorType::get({kEntries}, i8), table);
                Value high = arith::TruncIOp::create(
                    b, l, VectorType::get({kEntries}, i8),
                    arith::ShRSIOp::create(b, l, table, eight));
                vector::StoreOp::create(b, l, low, tables,
                                        ValueRange{m, g, idx(b, 0)});
                vector::StoreOp::create(b, l, high, tables,
                                        ValueRange{m, g, idx(b, kEntries)});
                scf::YieldOp::create(b, l);
              });
          scf::YieldOp::create(b, l);
        });

    // Channels [begin, end) of every row.
    auto channelRange = [&](OpBuilder &b, Location l, Value begin, Value end) {
      scf::ForOp::create(
          b, l, idx(b, 0), rows, idx(b, 1), ValueRange(),
          [&](OpBuilder &b, Location l, Value m, ValueRange) {
            scf::ForOp::create(
                b, l, begin, end, idx(b, lanes), ValueRange(),
                [&](OpBuilder &b, Location l, Value c0, ValueRange) {
                  Value chunk = arith::DivUIOp::create(b, l, c0, idx(b, lanes));
                  Value nibble = splat(b, l, byteVec, 15);
                  Value four = splat(b, l, byteVec, 4);
                  Value eight = splat(b, l, wideVec, 8);
                  auto sums = scf::ForOp::create(
                      b, l, idx(b, 0), idx(b, groups), idx(b, kI16Groups),
                      ValueRange{zeroOf(b, l, sumVec)},
                      [&](OpBuilder &b, Location l, Value g0, ValueRange acc) {
                        Value end = arith::MinUIOp::create(
                            b, l, idx(b, groups),
                            arith::AddIOp::create(b, l, g0,
                                                  idx(b, kI16Groups)));
                        auto inner = scf::ForOp::create(
                            b, l, g0, end, idx(b, 1),
                            ValueRange{zeroOf(b, l, wideVec)},
                            [&](OpBuilder &b, Location l, Value g,
                                ValueRange acc16) {
                              Value codes = vector::LoadOp::create(
                                  b, l, byteVec, planes,
                                  ValueRange{chunk, g, idx(b, 0)});
                              Value p =
                                  arith::AndIOp::create(b, l, codes, nibble);
                              Value q = arith::AndIOp::create(
                                  b, l,
                                  arith::ShRUIOp::create(b, l, codes, four),
                                  nibble);
                              auto half = [&](int64_t at) {
                                Value t = vector::LoadOp::create(
                                    b, l, VectorType::get({kEntries}, i8),
                                    tables, ValueRange{m, g, idx(b, at)});
                                return vector::ShuffleOp::create(b, l, t, t,
                                                                 broadcast)
                                    .getResult();
                              };
                              Value low = half(0), high = half(kEntries);
                              auto lookup = [&](Value index) -> Value {
                                Value lo =
                                    X86ShuffleBytesOp::create(b, l, low, index);
                                Value hi = X86ShuffleBytesOp::create(b, l, high,
                                                                     index);
                                return arith::OrIOp::create(
                                    b, l,
                                    arith::ExtUIOp::create(b, l, wideVec, lo),
                                    arith::ShLIOp::create(
                                        b, l,
                                        arith::ExtSIOp::create(b, l, wideVec,
                                                               hi),
                                        eight));
                              };
                              Value next = arith::AddIOp::create(
                                  b, l, acc16[0],
                                  arith::SubIOp::create(b, l, lookup(p),
                                                        lookup(q)));
                              scf::YieldOp::create(b, l, next);
                            });
                        scf::YieldOp::create(
                            b, l,
                            arith::AddIOp::create(
                                b, l, acc[0],
                                arith::ExtSIOp::create(b, l, sumVec,
                                                       inner.getResult(0)))
                                .getResult());
                      });
                  Value result = sums.getResult(0);
                  if (accType != i32)
                    result = arith::TruncIOp::create(
                        b, l, VectorType::get({lanes}, accType), result);
                  vector::StoreOp::create(b, l, result, out, ValueRange{m, c0});
                  scf::YieldOp::create(b, l);
                });
            scf::YieldOp::create(b, l);
          });
    };
    if (threads == 1) {
      channelRange(rewriter, loc, idx(rewriter, 0), idx(rewriter, n));
    } else {
      forEachThreadChunk(rewriter, loc, n, threads, /*align=*/1,
                         [&](OpBuilder &b, Location l, Value, Value begin,
                             Value end) { channelRange(b, l, begin, end); });
    }
    rewriter.replaceOp(op, resultTensor(rewriter, loc, resultType, out));
    return success();
  }
};

} // namespace

void mmfree::populateTernaryLookupPatterns(RewritePatternSet &patterns) {
  patterns.add<TernaryMatmulToLookups>(patterns.getContext());
}
