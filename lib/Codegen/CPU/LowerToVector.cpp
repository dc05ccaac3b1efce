//===- LowerToVector.cpp - mmfree.ternary_matmul -> vector kernel ---------===//
//
// CPU fast path for the ternary contraction. For each group of
// kRowsPerGroup rows and kChannelsPerGroup output channels, a loop over
// 64-weight blocks keeps one 16-lane accumulator per (row, channel); one
// 16-byte weight load per channel is decoded for the four 16-lane slices j
// of the block (shift 2j and mask 3, once for all rows; a single row tests
// the two code bits in place instead), and each activation slice is loaded
// once for all channels. Adds, subtracts and selects only.
//
// With AVX-512 VNNI (kernel `dots`), a second kernel: the 16 bytes of
// a block are broadcast to 64 and decoded to bytes w + 1 in {0, 1, 2} in
// activation order; one vpdpbusd (mmfree.x86_dot_bytes) per row and channel
// adds sum (w + 1) x, one more per row gives the sum x to subtract. Rows in
// fours share each decode. Constant weights are interleaved by 8 channels
// and stored as w + 1, so the decode is one mask (slice j stays at bits 2j,
// its lanes are shifted back at the end); runtime weights take a shift, a
// mask and a byte shuffle. On AVX2 without VNNI the same kernel makes
// each dot a vpmaddubsw into i16 lanes, summed in i16 over 16 blocks and
// widened into i32 once (vpmaddwd). `threads` splits the channels over an
// scf.parallel.
//
// A dequantization that is the contraction's only user becomes its
// epilogue: each sum is rescaled where it is reduced and written once as
// f32, so that no accumulator tensor is stored (with out-params a layer then
// allocates nothing on the heap).
//
//===----------------------------------------------------------------------===//

#include "mmfree/Codegen/CPU/TernaryEpilogue.h"
#include "mmfree/Codegen/Passes.h"
#include "mmfree/Codegen/Utils/BufferBuilders.h"
#include "mmfree/Codegen/Utils/LMulBuilders.h"
#include "mmfree/Codegen/Utils/TernaryBuilders.h"
#include "mmfree/Codegen/Utils/ThreadBuilders.h"

#include "mmfree/Numerics/Ternary.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/Support/DebugLog.h"

namespace mmfree {
#define GEN_PASS_DEF_LOWERTOVECTOR
#include "mmfree/Codegen/Passes.h.inc"
} // namespace mmfree

using namespace mlir;
using namespace mmfree;

#define DEBUG_TYPE "mmfree-lower-to-vector"

namespace {

using numerics::kBlockBytes;
using numerics::kBlockWeights;

/// Output channels that share each activation load.
constexpr int64_t kChannelsPerGroup = 4;
/// Rows that share each weight load and decode.
constexpr int64_t kRowsPerGroup = 4;
/// 16-lane slices per 64-weight block.
constexpr int64_t kSlices = kBlockWeights / kBlockBytes;

/// Rows that share each decode in the VNNI kernel (4 rows x 4 channels + 4
/// activation sums = 20 zmm accumulators).
constexpr int64_t kDotRowsPerGroup = 4;
/// Channels whose blocks the VNNI kernel's constant weights interleave.
constexpr int64_t kInterleave = 8;
/// Interleaved weights are decoded to (w + 1) * 4^j, whose dot products
/// must fit in i32 lanes: below 2^15 blocks of 2^16 at most.
constexpr int64_t kMaxScaledK = int64_t(1) << 21;
} // namespace

/// Whether interleaved constants are decoded in place (scaled by 4^j): with
/// 64-byte dots, where a block is one dot.
static constexpr bool decodesInPlace(int64_t dotLanes) {
  return dotLanes == 16;
}

namespace {
/// Largest per-thread scratch of quantized activation rows (a row group of
/// padded K bytes, on the stack) for which quantization is fused.
constexpr int64_t kMaxScratchBytes = 64 * 1024;
/// Blocks whose byte-pair sums (AVX2 dots) add up in i16 lanes: a lane
/// takes two pairs of (w + 1 <= 2) x (|x| <= 128) per block, at most 1024,
/// so 16 blocks stay within 16384.
constexpr int64_t kPairChunkBlocks = 16;
/// How many 64-weight blocks ahead the VNNI kernel prefetches weights.
constexpr int64_t kPrefetchBlocks = 32;

/// The byte-dot instructions of the dots kernel (none: the select kernel).
struct Dots {
  /// i32 lanes per dot: 16 (AVX-512 VNNI), 8 (256-bit), 0 (no dots).
  int64_t lanes = 0;
  /// AVX2 without VNNI: each dot is a byte-pair multiply-add (vpmaddubsw)
  /// into i16 lanes, summed in i16 over kPairChunkBlocks blocks and
  /// widened into i32 once per chunk (vpmaddwd by ones).
  bool bytePairs = false;
  /// The target has GFNI: runtime weights' codes are decoded to w + 1 by
  /// one gf2p8affineqb per slice instead of a shift, a mask and a pshufb.
  bool affineDecode = false;
  explicit operator bool() const { return lanes > 0; }
};

struct TernaryMatmulToVector : OpRewritePattern<TernaryMatmulOp> {
  TernaryMatmulToVector(MLIRContext *context, bool gfni)
      : OpRewritePattern(context), gfni(gfni) {}

  /// The module's target has GFNI.
  bool gfni;

  LogicalResult matchAndRewrite(TernaryMatmulOp op,
                                PatternRewriter &rewriter) const override {
    auto kernel = op->getAttrOfType<KernelAttr>(kKernelAttrName);
    if (!kernel || (kernel.getKind() != KernelKind::Select &&
                    kernel.getKind() != KernelKind::Dots))
      return rewriter.notifyMatchFailure(op, "not a select or dots kernel");
    const int64_t dotLanes =
        kernel.getKind() == KernelKind::Dots ? kernelLanes(kernel) : 0;
    const bool bytePairs = kernel.getIsa() == KernelIsa::Avx2;
    const int64_t threads = kernel.getThreads();
    LDBG() << "ternary kernel " << kernel << " for " << op;
    Location loc = op.getLoc();
    int64_t k = op.getK();
    Type accElt = op.getResult().getType().getElementType();
    bool useDots = dotLanes > 0 &&
                   op.getInput().getType().getElementType().isInteger(8) &&
                   (accElt.isInteger(16) || accElt.isInteger(32));
    // 16 ymm registers (AVX-VNNI) hold the accumulators of 2 rows x 4
    // channels, 32 zmm those of 4 rows.
    const int64_t rowsPerGroup = !useDots         ? kRowsPerGroup
                                 : dotLanes == 16 ? kDotRowsPerGroup
                                                  : kDotRowsPerGroup / 2;
    // None: the add/sub select kernel.
    const Dots lanes = useDots ? Dots{dotLanes, bytePairs, gfni} : Dots{};
    int64_t paddedK = numerics::numBlocks(k) * kBlockWeights;
    Value w = op.getWeights();
    auto resultType = op.getResult().getType();
    Type accType = resultType.getElementType();
    int64_t n = resultType.getDimSize(1);

    // Activation quantization feeding only this op becomes the prologue of
    // each row group: its rows are quantized into a scratch that the
    // kernel reads while they are in L1, and no i8 tensor is written.
    auto quantize = op.getInput().getDefiningOp<QuantizeRowsOp>();
    std::optional<Fusion> fusion;
    if (quantize && op.getInput().hasOneUse() &&
        rowsPerGroup * paddedK <= kMaxScratchBytes &&
        llvm::all_of(quantize.getScale().getUsers(), [&](Operation *user) {
          return user->getBlock() == op->getBlock() &&
                 op->isBeforeInBlock(user);
        })) {
      Value source = quantize.getInput();
      SmallVector<Value> rowsDyn;
      if (quantize.getScale().getType().isDynamicDim(0))
        rowsDyn.push_back(tensor::DimOp::create(rewriter, loc, source, 0));
      fusion = Fusion{
          readOnlyBuffer(rewriter, loc, source),
          resultBuffer(rewriter, loc, quantize.getScale().getType(), rowsDyn),
          k, paddedK};
    }
    std::optional<Epilogue> epilogue =
        Epilogue::match(rewriter, loc, op, fusion ? quantize : nullptr);
    auto outType =
        epilogue ? cast<RankedTensorType>(epilogue->op.getType()) : resultType;
    Value input = fusion ? quantize.getInput() : op.getInput();
    Value x = fusion ? Value() : padToBlocks(rewriter, loc, input, k);
    Value mSize = tensor::DimOp::create(rewriter, loc, input, 0);
    SmallVector<Value> dyn;
    if (resultType.isDynamicDim(0))
      dyn.push_back(mSize);
    // Constant weights for the VNNI kernel are interleaved by groups of 8
    // channels, [N/8][T][8][16], so that a channel group reads one stream.
    DenseIntElementsAttr packedWeights;
    if (useDots && n % kInterleave == 0 &&
        (!decodesInPlace(dotLanes) || paddedK < kMaxScaledK) &&
        matchPattern(w, m_Constant(&packedWeights)))
      w = interleaveWeights(rewriter, loc, packedWeights);
    if (useDots)
      w = readOnlyBuffer(rewriter, loc, w);
    // Every chunk of channels holds whole groups (of either row grouping).
    int64_t widest = channelGroup(/*useDots=*/true, /*rowGroup=*/1);
    if (threads > 1 && n % (threads * widest) == 0) {
      replaceTernaryResult(rewriter, op, epilogue,
                           threadedKernel(rewriter, loc, x, w, mSize, accType,
                                          outType, rowsPerGroup, paddedK, lanes,
                                          threads, fusion, epilogue));
      replaceQuantize(rewriter, loc, quantize, fusion);
      return success();
    }
    Value init = tensor::EmptyOp::create(rewriter, loc, outType, dyn);
    if (fusion)
      x = fusion->scratch(rewriter, loc, rowsPerGroup);

    // Rows in groups of kRowsPerGroup share each weight load and decode;
    // channels in groups of kChannelsPerGroup share each activation load.
    Value groupedRows = arith::AndIOp::create(
        rewriter, loc, mSize,
        indexConstant(rewriter, loc, ~(rowsPerGroup - 1)));
    auto rowLoop = [&](Value begin, Value end, int64_t rowGroup,
                       Value init) -> Value {
      return scf::ForOp::create(
                 rewriter, loc, begin, end,
                 indexConstant(rewriter, loc, rowGroup), init,
                 [&](OpBuilder &b, Location l, Value m0, ValueRange iter) {
                   SmallVector<Value> rows;
                   for (int64_t r = 0; r < rowGroup; ++r)
                     rows.push_back(arith::AddIOp::create(
                         b, l, m0, indexConstant(b, l, r)));
                   SmallVector<Value> qs;
                   SmallVector<Value> xRows =
                       fusion ? fusion->quantizeRows(b, l, x, rows, Value(), qs)
                              : rows;
                   Rescale rescale{epilogue ? &*epilogue : nullptr,
                                   epilogue
                                       ? epilogue->rowScales(b, l, rows, qs)
                                       : SmallVector<Value>()};
                   Value result = iter[0];
                   int64_t channels = channelGroup(useDots, rowGroup);
                   int64_t mainN = n - n % channels;
                   if (mainN > 0)
                     result = channelLoop(b, l, x, w, result, rows, xRows, 0,
                                          mainN, channels, paddedK, accType,
                                          lanes, rescale);
                   if (mainN < n)
                     result =
                         channelLoop(b, l, x, w, result, rows, xRows, mainN, n,
                                     1, paddedK, accType, lanes, rescale);
                   scf::YieldOp::create(b, l, result);
                 })
          .getResult(0);
    };
    Value result = rowLoop(indexConstant(rewriter, loc, 0), groupedRows,
                           rowsPerGroup, init);
    result = rowLoop(groupedRows, mSize, 1, result);
    replaceTernaryResult(rewriter, op, epilogue, result);
    replaceQuantize(rewriter, loc, quantize, fusion);
    return success();
  }

  using Epilogue = TernaryEpilogue;

  /// A row group's view of the epilogue: none, or it with the rows' scales.
  struct Rescale {
    const Epilogue *epilogue;
    SmallVector<Value> rowScales;

    /// What row `r`'s sum for channel `n` stores.
    Value operator()(OpBuilder &b, Location loc, Value sum, size_t r,
                     Value n) const {
      if (!epilogue)
        return sum;
      return epilogue->apply(b, loc, sum, n,
                             rowScales.empty() ? Value() : rowScales[r]);
    }
  };

  /// The fused activation quantization: the f32 rows, the buffer their
  /// scales go to, K and the padded K.
  struct Fusion {
    Value source, scales;
    int64_t k, paddedK;

    /// A zeroed stack scratch for `rows` quantized rows (the kernel reads
    /// whole blocks: bytes past K stay zero).
    Value scratch(OpBuilder &b, Location loc, int64_t rows) const {
      auto type = MemRefType::get({rows, paddedK}, b.getI8Type());
      Value buffer = memref::AllocaOp::create(b, loc, type, ValueRange(),
                                              b.getI64IntegerAttr(64));
      auto zeros = VectorType::get({kBlockWeights}, b.getI8Type());
      Value zero = zeroOf(b, loc, zeros);
      for (int64_t r = 0; r < rows; ++r)
        scf::ForOp::create(
            b, loc, indexConstant(b, loc, 0), indexConstant(b, loc, paddedK),
            indexConstant(b, loc, kBlockWeights), ValueRange(),
            [&](OpBuilder &b, Location l, Value k0, ValueRange) {
              vector::TransferWriteOp::create(
                  b, l, zero, buffer, ValueRange{indexConstant(b, l, r), k0},
                  ArrayRef<bool>{true});
              scf::YieldOp::create(b, l);
            });
      return buffer;
    }

    /// mmfree.quantize_rows of `rows` into rows 0, 1, ... of `scratch`, in
    /// 16-lane loops (a masked tail when K is not a multiple of 16): the
    /// absolute maximum, q = 127 / max(it, eps), clamp(roundeven(x * q)).
    /// Stores q unless `storeIf` (an i1) is false and appends it to `qs`.
    /// Returns the scratch rows.
    SmallVector<Value> quantizeRows(OpBuilder &b, Location loc, Value scratch,
                                    ArrayRef<Value> rows, Value storeIf,
                                    SmallVectorImpl<Value> &qs) const {
      Type f32 = b.getF32Type();
      auto lanes = VectorType::get({16}, f32);
      auto bytes = VectorType::get({16}, b.getI8Type());
      int64_t mainK = k - k % 16;
      Value zero = splat(b, loc, lanes, 0);
      Value padF = zeroOf(b, loc, f32);
      // Calls fn(k0, inBounds) for every 16-lane chunk of [0, K).
      auto chunks =
          [&](Value init,
              function_ref<Value(OpBuilder &, Location, Value, bool, Value)>
                  fn) {
            Value acc = init;
            if (mainK > 0) {
              auto loop = scf::ForOp::create(
                  b, loc, indexConstant(b, loc, 0),
                  indexConstant(b, loc, mainK), indexConstant(b, loc, 16),
                  init ? ValueRange{init} : ValueRange(),
                  [&](OpBuilder &b, Location l, Value k0, ValueRange iter) {
                    Value next =
                        fn(b, l, k0, true, iter.empty() ? Value() : iter[0]);
                    scf::YieldOp::create(
                        b, l, next ? ValueRange{next} : ValueRange());
                  });
              acc = init ? loop.getResult(0) : Value();
            }
            if (mainK < k)
              acc = fn(b, loc, indexConstant(b, loc, mainK), false, acc);
            return acc;
          };
      SmallVector<Value> scratchRows;
      for (size_t i = 0; i < rows.size(); ++i) {
        Value row = rows[i], scratchRow = indexConstant(b, loc, i);
        auto read = [&](OpBuilder &b, Location l, Value k0, bool inBounds) {
          return vector::TransferReadOp::create(b, l, lanes, source,
                                                ValueRange{row, k0}, padF,
                                                ArrayRef<bool>{inBounds});
        };
        Value maxAbs =
            chunks(zero,
                   [&](OpBuilder &b, Location l, Value k0, bool inBounds,
                       Value acc) -> Value {
                     return arith::MaximumFOp::create(
                         b, l, acc,
                         math::AbsFOp::create(b, l, read(b, l, k0, inBounds)));
                   });
        Value m = vector::ReductionOp::create(
            b, loc, vector::CombiningKind::MAXIMUMF, maxAbs);
        Value q = arith::DivFOp::create(
            b, loc, arith::ConstantOp::create(b, loc, b.getF32FloatAttr(127.f)),
            arith::MaximumFOp::create(
                b, loc, m,
                arith::ConstantOp::create(
                    b, loc, b.getF32FloatAttr(numerics::kScaleEpsilon))));
        Value qv = vector::BroadcastOp::create(b, loc, lanes, q);
        Value low = splat(b, loc, lanes, -128),
              high = splat(b, loc, lanes, 127);
        chunks(Value(),
               [&](OpBuilder &b, Location l, Value k0, bool inBounds,
                   Value) -> Value {
                 Value v =
                     arith::MulFOp::create(b, l, read(b, l, k0, inBounds), qv);
                 v = math::RoundEvenOp::create(b, l, v);
                 v = arith::MinimumFOp::create(
                     b, l, arith::MaximumFOp::create(b, l, v, low), high);
                 vector::TransferWriteOp::create(
                     b, l, arith::FPToSIOp::create(b, l, bytes, v), scratch,
                     ValueRange{scratchRow, k0}, ArrayRef<bool>{true});
                 return Value();
               });
        if (storeIf) {
          scf::IfOp::create(b, loc, storeIf, [&](OpBuilder &b, Location l) {
            memref::StoreOp::create(b, l, q, scales, ValueRange{row});
            scf::YieldOp::create(b, l);
          });
        } else {
          memref::StoreOp::create(b, loc, q, scales, ValueRange{row});
        }
        qs.push_back(q);
        scratchRows.push_back(scratchRow);
      }
      return scratchRows;
    }
  };

  /// The fused quantization's scales replace its op's.
  static void replaceQuantize(PatternRewriter &rewriter, Location loc,
                              QuantizeRowsOp quantize,
                              const std::optional<Fusion> &fusion) {
    if (!fusion)
      return;
    rewriter.replaceAllUsesWith(quantize.getScale(),
                                resultTensor(rewriter, loc,
                                             quantize.getScale().getType(),
                                             fusion->scales));
    rewriter.eraseOp(quantize);
  }

  /// Channels per group: a single row of the VNNI kernel has the registers
  /// for twice the channels (more weight streams in flight).
  static int64_t channelGroup(bool useDots, int64_t rowGroup) {
    return useDots && rowGroup == 1 ? 2 * kChannelsPerGroup : kChannelsPerGroup;
  }

  /// Loop over channels [begin, end) in groups of `group`, each group
  /// reducing over all blocks into `group` results of each row in `rows`.
  static Value channelLoop(OpBuilder &b, Location loc, Value x, Value w,
                           Value result, ArrayRef<Value> rows,
                           ArrayRef<Value> xRows, int64_t begin, int64_t end,
                           int64_t group, int64_t paddedK, Type accType,
                           Dots dots, const Rescale &rescale) {
    auto loop = scf::ForOp::create(
        b, loc, indexConstant(b, loc, begin), indexConstant(b, loc, end),
        indexConstant(b, loc, group), result,
        [&](OpBuilder &b, Location l, Value n0, ValueRange iter) {
          SmallVector<Value> sums =
              dots
                  ? reduceGroupDots(b, l, x, w, xRows, n0, group, paddedK,
                                    accType, dots)
                  : reduceGroup(b, l, x, w, xRows, n0, group, paddedK, accType);
          Value res = iter[0];
          for (size_t r = 0; r < rows.size(); ++r)
            for (int64_t c = 0; c < group; ++c) {
              Value n = arith::AddIOp::create(b, l, n0, indexConstant(b, l, c));
              res = tensor::InsertOp::create(
                  b, l, rescale(b, l, sums[r * group + c], r, n), res,
                  ValueRange{rows[r], n});
            }
          scf::YieldOp::create(b, l, res);
        });
    return loop.getResult(0);
  }

  /// sum_k x[m,k] * Wt[n0+c,k] for each row m of `rows` and c < group, as
  /// scalars of `accType` (row-major). One 16-lane accumulator per (row,
  /// channel); the four 16-weight slices of a block add into it.
  static SmallVector<Value> reduceGroup(OpBuilder &b, Location loc, Value x,
                                        Value w, ArrayRef<Value> rows, Value n0,
                                        int64_t group, int64_t paddedK,
                                        Type accType) {
    auto i8 = b.getI8Type();
    auto byteVec = VectorType::get({kBlockBytes}, i8);
    auto xVecType = VectorType::get(
        {kBlockBytes}, cast<ShapedType>(x.getType()).getElementType());
    auto accVec = VectorType::get({kBlockBytes}, accType);
    Value zeroAcc = zeroOf(b, loc, accVec);
    SmallVector<Value> inits(rows.size() * group, zeroAcc);
    auto blocks = scf::ForOp::create(
        b, loc, indexConstant(b, loc, 0), indexConstant(b, loc, paddedK),
        indexConstant(b, loc, kBlockWeights), inits,
        [&](OpBuilder &bb, Location l, Value k0, ValueRange accs) {
          // Block index k0 / 64 as a shift: no multiply or divide.
          Value block =
              arith::ShRUIOp::create(bb, l, k0, indexConstant(bb, l, 6));
          Value padI8 = zeroOf(bb, l, i8);
          SmallVector<Value> packed;
          for (int64_t c = 0; c < group; ++c) {
            Value n = arith::AddIOp::create(bb, l, n0, indexConstant(bb, l, c));
            packed.push_back(vector::TransferReadOp::create(
                bb, l, byteVec, w,
                ValueRange{n, block, indexConstant(bb, l, 0)}, padI8,
                ArrayRef<bool>{true}));
          }
          SmallVector<Value> next(accs.begin(), accs.end());
          Value padX = zeroOf(bb, l, xVecType.getElementType());
          for (int64_t j = 0; j < kSlices; ++j) {
            Value kj = arith::AddIOp::create(
                bb, l, k0, indexConstant(bb, l, j * kBlockBytes));
            // One row: test the code bits in place (mask tests, masked adds
            // and subtracts). Several rows: decode once (shift 2j, mask,
            // compares; LLVM keeps one copy for all rows) and select, which
            // keeps fewer values live across the rows.
            Value shift = arith::ConstantOp::create(
                bb, l,
                DenseElementsAttr::get(byteVec,
                                       bb.getI8IntegerAttr(int8_t(2 * j))));
            for (size_t r = 0; r < rows.size(); ++r) {
              Value xs = vector::TransferReadOp::create(
                  bb, l, xVecType, x, ValueRange{rows[r], kj}, padX,
                  ArrayRef<bool>{true});
              if (isa<IntegerType>(accType))
                xs = arith::ExtSIOp::create(bb, l, accVec, xs);
              for (int64_t c = 0; c < group; ++c)
                next[r * group + c] =
                    rows.size() == 1
                        ? accumulateTernarySlice(bb, l, next[r * group + c], xs,
                                                 packed[c], j)
                        : accumulateTernary(bb, l, next[r * group + c], xs,
                                            packed[c], shift);
            }
          }
          scf::YieldOp::create(bb, l, next);
        });
    SmallVector<Value> sums;
    for (Value total : blocks.getResults())
      sums.push_back(vector::ReductionOp::create(
          b, loc, vector::CombiningKind::ADD, total));
    return sums;
  }

  /// The VNNI form of reduceGroup: per block and channel the weights as
  /// bytes w + 1 in {0, 1, 2}, in activation order, and one vpdpbusd per
  /// (row, channel) adds sum (w + 1) x; one more per row, shared by the
  /// channels, gives the sum x to remove. With 64-byte dots (AVX-512) a
  /// block is one dot: its 16 bytes broadcast to 64; slice j (bits 2j)
  /// shifted per qword by 2j, masked to 2 bits and mapped from the standard
  /// codes by one byte shuffle, or, for the interleaved constants (stored as
  /// w + 1), only masked in place, so that the bytes are (w + 1) * 4^j and
  /// lanes of slice j sum 4^j times too much (an exact shift at the end).
  /// With 32-byte dots (AVX-VNNI) a block is two halves of two slices, each
  /// shifted and masked.
  static SmallVector<Value> reduceGroupDots(OpBuilder &b, Location loc, Value x,
                                            Value w, ArrayRef<Value> rows,
                                            Value n0, int64_t group,
                                            int64_t paddedK, Type accType,
                                            Dots dots) {
    Type i8 = b.getI8Type(), i32 = b.getI32Type();
    const int64_t dotLanes = dots.lanes;
    const int64_t dotBytes = 4 * dotLanes;
    const int64_t halves = kBlockWeights / dotBytes;
    const int64_t slicesPerHalf = dotBytes / kBlockBytes;
    auto packedVec = VectorType::get({kBlockBytes}, i8);
    auto byteVec = VectorType::get({dotBytes}, i8);
    auto accVec = VectorType::get({dotLanes}, i32);
    auto pairVec = VectorType::get({2 * dotLanes}, b.getI16Type());
    const bool interleaved = cast<ShapedType>(w.getType()).getRank() == 4;
    const bool scaled = interleaved && decodesInPlace(dotLanes);
    SmallVector<int64_t> broadcast;
    for (int64_t j = 0; j < slicesPerHalf; ++j)
      for (int64_t byte = 0; byte < kBlockBytes; ++byte)
        broadcast.push_back(byte);
    // In half h, qwords 2j' and 2j' + 1 hold slice j = h * slicesPerHalf +
    // j', whose code is at bit 2j.
    SmallVector<SmallVector<int64_t>> shifts(halves);
    for (int64_t h = 0; h < halves; ++h)
      for (int64_t q = 0; q < dotBytes / 8; ++q)
        shifts[h].push_back(2 * (h * slicesPerHalf + q / 2));
    // Scaled: slice j's codes in place; i32 lane i sums slice i / 4.
    SmallVector<int8_t> sliceMasks;
    SmallVector<int32_t> laneShifts;
    for (int64_t i = 0; i < dotBytes; ++i)
      sliceMasks.push_back(int8_t(3 << 2 * (i / kBlockBytes)));
    for (int64_t i = 0; i < dotLanes; ++i)
      laneShifts.push_back(int32_t(2 * (i / 4)));
    // Standard codes 0 (0), 1 (+1), 2 (-1) to w + 1.
    SmallVector<int8_t> offsetCodes;
    for (int64_t i = 0; i < dotBytes; ++i)
      offsetCodes.push_back(int8_t(numerics::offsetCode(i % 16 & 3)));
    // With GFNI, the same map as one affine map over GF(2) per slice j:
    // w + 1 = (c0, 1 ^ c0 ^ c1) from the code (c1, c0) at bits 2j. Result
    // bit b is the parity of byte 7 - b of the qword's matrix and the input.
    SmallVector<SmallVector<int8_t>> decodeMatrices(halves);
    for (int64_t h = 0; h < halves; ++h)
      for (int64_t q = 0; q < dotBytes / 8; ++q) {
        int64_t shift = shifts[h][q];
        uint64_t bit0 = uint64_t(3) << shift, bit1 = uint64_t(1) << shift;
        uint64_t matrix = bit0 << 56 | bit1 << 48;
        for (int64_t byte = 0; byte < 8; ++byte)
          decodeMatrices[h].push_back(int8_t(matrix >> (8 * byte)));
      }
    // Accumulators: one per (row, channel), then one activation sum per row
    // (i16 within a chunk of blocks for byte pairs).
    SmallVector<Value> inits((group + 1) * rows.size(), zeroOf(b, loc, accVec));
    // One block's dots added into `accs`.
    auto blockStep = [&](OpBuilder &bb, Location l, Value k0,
                         ValueRange accs) -> SmallVector<Value> {
      Value block = arith::ShRUIOp::create(bb, l, k0, indexConstant(bb, l, 6));
      Value pad = zeroOf(bb, l, i8);
      auto bytes = [&](ArrayRef<int8_t> v) {
        return arith::ConstantOp::create(bb, l,
                                         DenseElementsAttr::get(byteVec, v));
      };
      Value one = splat(bb, l, byteVec, 1);
      SmallVector<Value> next(accs.begin(), accs.end());
      auto dot = [&](size_t at, Value lhs, Value rhs) {
        if (dots.bytePairs)
          next[at] = arith::AddIOp::create(
              bb, l, next[at],
              X86MultiplyAddBytesOp::create(bb, l, pairVec, lhs, rhs));
        else
          next[at] = X86DotBytesOp::create(bb, l, next[at], lhs, rhs);
      };
      // xs[r * halves + h]: row r's activations of half h.
      SmallVector<Value> xs;
      for (auto [r, row] : llvm::enumerate(rows)) {
        size_t sumAt = rows.size() * group + r;
        for (int64_t h = 0; h < halves; ++h) {
          Value kh = arith::AddIOp::create(bb, l, k0,
                                           indexConstant(bb, l, h * dotBytes));
          xs.push_back(vector::TransferReadOp::create(bb, l, byteVec, x,
                                                      ValueRange{row, kh}, pad,
                                                      ArrayRef<bool>{true}));
          dot(sumAt, one, xs.back());
        }
      }
      if (isa<MemRefType>(w.getType()))
        prefetchWeights(bb, l, w, n0, block, group);
      for (int64_t c = 0; c < group; ++c) {
        SmallVector<Value> at;
        if (interleaved) {
          // Interleaved [N/8][T][8][16]: the group's blocks are adjacent.
          at = {arith::ShRUIOp::create(bb, l, n0, indexConstant(bb, l, 3)),
                block,
                arith::AddIOp::create(
                    bb, l,
                    arith::AndIOp::create(bb, l, n0, indexConstant(bb, l, 7)),
                    indexConstant(bb, l, c)),
                indexConstant(bb, l, 0)};
        } else {
          at = {arith::AddIOp::create(bb, l, n0, indexConstant(bb, l, c)),
                block, indexConstant(bb, l, 0)};
        }
        Value packed = vector::TransferReadOp::create(
            bb, l, packedVec, w, at, pad, SmallVector<bool>(1, true));
        Value wide =
            vector::ShuffleOp::create(bb, l, packed, packed, broadcast);
        for (int64_t h = 0; h < halves; ++h) {
          Value weights;
          if (scaled) {
            weights = arith::AndIOp::create(bb, l, wide, bytes(sliceMasks));
          } else if (interleaved) {
            // Stored as w + 1: shifted and masked.
            weights = sliceCodes(bb, l, wide, shifts[h]);
          } else {
            weights = decodeHalf(bb, l, wide, h, dots, shifts[h], offsetCodes,
                                 decodeMatrices[h]);
          }
          for (size_t r = 0; r < rows.size(); ++r)
            dot(r * group + c, weights, xs[r * halves + h]);
        }
      }
      return next;
    };
    SmallVector<Value> results;
    if (!dots.bytePairs) {
      results =
          scf::ForOp::create(
              b, loc, indexConstant(b, loc, 0), indexConstant(b, loc, paddedK),
              indexConstant(b, loc, kBlockWeights), inits,
              [&](OpBuilder &bb, Location l, Value k0, ValueRange accs) {
                scf::YieldOp::create(bb, l, blockStep(bb, l, k0, accs));
              })
              .getResults();
    } else {
      // Byte pairs: i16 sums over chunks of kPairChunkBlocks blocks, widened
      // into the i32 accumulators once per chunk (vpmaddwd by ones).
      const int64_t chunk = kPairChunkBlocks * kBlockWeights;
      SmallVector<Value> zeros(inits.size(), zeroOf(b, loc, pairVec));
      results =
          scf::ForOp::create(
              b, loc, indexConstant(b, loc, 0), indexConstant(b, loc, paddedK),
              indexConstant(b, loc, chunk), inits,
              [&](OpBuilder &bb, Location l, Value c0, ValueRange wide) {
                Value end = arith::MinUIOp::create(
                    bb, l,
                    arith::AddIOp::create(bb, l, c0,
                                          indexConstant(bb, l, chunk)),
                    indexConstant(bb, l, paddedK));
                auto chunkSums = scf::ForOp::create(
                    bb, l, c0, end, indexConstant(bb, l, kBlockWeights), zeros,
                    [&](OpBuilder &cb, Location cl, Value k0, ValueRange accs) {
                      scf::YieldOp::create(cb, cl, blockStep(cb, cl, k0, accs));
                    });
                Value ones = splat(bb, l, pairVec, 1);
                SmallVector<Value> next;
                for (auto [acc, sums] : llvm::zip(wide, chunkSums.getResults()))
                  next.push_back(
                      arith::AddIOp::create(bb, l, acc,
                                            X86MultiplyAddWordsOp::create(
                                                bb, l, accVec, sums, ones)));
                scf::YieldOp::create(bb, l, next);
              })
              .getResults();
    }
    SmallVector<Value> sums;
    for (size_t r = 0; r < rows.size(); ++r) {
      Value rowSum = results[rows.size() * group + r];
      for (int64_t c = 0; c < group; ++c) {
        Value acc = results[r * group + c];
        if (scaled)
          acc = arith::ShRSIOp::create(
              b, loc, acc,
              arith::ConstantOp::create(
                  b, loc,
                  DenseElementsAttr::get(accVec,
                                         ArrayRef<int32_t>(laneShifts))));
        Value sum = vector::ReductionOp::create(
            b, loc, vector::CombiningKind::ADD,
            arith::SubIOp::create(b, loc, acc, rowSum));
        if (accType != i32)
          sum = arith::TruncIOp::create(b, loc, accType, sum);
        sums.push_back(sum);
      }
    }
    return sums;
  }

  /// Half `h` of a block of runtime (standard) codes, broadcast in `wide`,
  /// as bytes w + 1: one GF(2) affine map per slice with GFNI, else a shift
  /// per qword, a mask and a byte shuffle.
  static Value decodeHalf(OpBuilder &b, Location loc, Value wide, int64_t h,
                          Dots dots, ArrayRef<int64_t> shifts,
                          ArrayRef<int8_t> offsetCodes,
                          ArrayRef<int8_t> matrices) {
    auto byteVec = cast<VectorType>(wide.getType());
    auto constant = [&](ArrayRef<int8_t> v) {
      return arith::ConstantOp::create(b, loc,
                                       DenseElementsAttr::get(byteVec, v));
    };
    if (dots.affineDecode)
      return X86AffineBytesOp::create(b, loc, wide, constant(matrices),
                                      b.getI8IntegerAttr(1));
    return X86ShuffleBytesOp::create(b, loc, constant(offsetCodes),
                                     sliceCodes(b, loc, wide, shifts));
  }

  /// The 2-bit code of each byte's slice: `wide` shifted per qword by
  /// `shifts` and masked.
  static Value sliceCodes(OpBuilder &b, Location loc, Value wide,
                          ArrayRef<int64_t> shifts) {
    auto byteVec = cast<VectorType>(wide.getType());
    auto qwordVec =
        VectorType::get({byteVec.getNumElements() / 8}, b.getI64Type());
    Value shifted = arith::ShRUIOp::create(
        b, loc, vector::BitCastOp::create(b, loc, qwordVec, wide),
        arith::ConstantOp::create(b, loc,
                                  DenseElementsAttr::get(qwordVec, shifts)));
    return arith::AndIOp::create(
        b, loc, vector::BitCastOp::create(b, loc, byteVec, shifted),
        splat(b, loc, byteVec, 3));
  }

  /// Asks for the weight lines that the same channel slot reads
  /// kPrefetchBlocks iterations later, in this group or, near its end, the
  /// next one (a group's streams are only T blocks long): one core's
  /// hardware prefetch does not keep the streams busy.
  static void prefetchWeights(OpBuilder &b, Location loc, Value w, Value n0,
                              Value block, int64_t group) {
    auto type = cast<MemRefType>(w.getType());
    bool interleaved = type.getRank() == 4;
    int64_t blocks = type.getDimSize(1);
    int64_t slots =
        interleaved ? type.getDimSize(0) * kInterleave : type.getDimSize(0);
    Value ahead = arith::AddIOp::create(b, loc, block,
                                        indexConstant(b, loc, kPrefetchBlocks));
    Value t = indexConstant(b, loc, blocks);
    Value nextGroups = arith::DivUIOp::create(b, loc, ahead, t);
    Value at = arith::RemUIOp::create(b, loc, ahead, t);
    // The channel the slot will hold, clamped to the last one.
    Value first = arith::MinUIOp::create(
        b, loc,
        arith::AddIOp::create(
            b, loc, n0,
            arith::MulIOp::create(b, loc, nextGroups,
                                  indexConstant(b, loc, group))),
        indexConstant(b, loc, slots - group));
    auto prefetch = [&](ValueRange index) {
      memref::PrefetchOp::create(b, loc, w, index, b.getBoolAttr(false),
                                 b.getI32IntegerAttr(3), b.getBoolAttr(true));
    };
    Value zero = indexConstant(b, loc, 0);
    if (interleaved) {
      // A group's blocks are adjacent: 8 x 16 bytes, two lines.
      Value g = arith::ShRUIOp::create(b, loc, first, indexConstant(b, loc, 3));
      prefetch({g, at, zero, zero});
      prefetch({g, at, indexConstant(b, loc, 4), zero});
      return;
    }
    for (int64_t c = 0; c < group; ++c)
      prefetch({arith::AddIOp::create(b, loc, first, indexConstant(b, loc, c)),
                at, zero});
  }

  static Value interleaveWeights(PatternRewriter &rewriter, Location loc,
                                 DenseIntElementsAttr packed) {
    auto type = cast<RankedTensorType>(packed.getType());
    int64_t n = type.getDimSize(0), blocks = type.getDimSize(1);
    auto values = packed.getValues<int8_t>();
    std::vector<int8_t> out(type.getNumElements());
    for (int64_t ch = 0; ch < n; ++ch)
      for (int64_t t = 0; t < blocks; ++t)
        for (int64_t byte = 0; byte < kBlockBytes; ++byte)
          out[(((ch / kInterleave) * blocks + t) * kInterleave +
               ch % kInterleave) *
                  kBlockBytes +
              byte] =
              numerics::offsetCodes(
                  values[(ch * blocks + t) * kBlockBytes + byte]);
    auto outType = RankedTensorType::get(
        {n / kInterleave, blocks, kInterleave, kBlockBytes},
        rewriter.getI8Type());
    return arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(outType, ArrayRef<int8_t>(out)));
  }

  /// Threads: the channels in as many contiguous chunks, one scf.parallel
  /// iteration each (OpenMP), every chunk writing its own columns of the
  /// result buffer. Used when the chunks hold whole channel groups.
  Value threadedKernel(PatternRewriter &rewriter, Location loc, Value x,
                       Value w, Value mSize, Type accType,
                       RankedTensorType resultType, int64_t rowsPerGroup,
                       int64_t paddedK, Dots lanes, int64_t threads,
                       const std::optional<Fusion> &fusion,
                       const std::optional<Epilogue> &epilogue) const {
    int64_t n = resultType.getDimSize(1);
    Value xm = fusion ? Value() : readOnlyBuffer(rewriter, loc, x);
    Value wm =
        isa<MemRefType>(w.getType()) ? w : readOnlyBuffer(rewriter, loc, w);
    SmallVector<Value> dyn;
    if (resultType.isDynamicDim(0))
      dyn.push_back(mSize);
    Value out = resultBuffer(rewriter, loc, resultType, dyn);
    Value groupedRows = arith::AndIOp::create(
        rewriter, loc, mSize,
        indexConstant(rewriter, loc, ~(rowsPerGroup - 1)));
    forEachThreadChunk(
        rewriter, loc, n, threads, /*align=*/1,
        [&](OpBuilder &b, Location l, Value thread, Value c0, Value c1) {
          // Fused: every thread quantizes the rows into its own scratch,
          // the first one stores the scales.
          Value xs = fusion ? fusion->scratch(b, l, rowsPerGroup) : xm;
          Value firstThread =
              fusion ? arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                             thread, indexConstant(b, l, 0))
                     : Value();
          auto rowLoop = [&](Value begin, Value end, int64_t rowGroup) {
            int64_t group = channelGroup(bool(lanes), rowGroup);
            scf::ForOp::create(
                b, l, begin, end, indexConstant(b, l, rowGroup), ValueRange(),
                [&](OpBuilder &b, Location l, Value m0, ValueRange) {
                  SmallVector<Value> rows;
                  for (int64_t r = 0; r < rowGroup; ++r)
                    rows.push_back(arith::AddIOp::create(
                        b, l, m0, indexConstant(b, l, r)));
                  SmallVector<Value> qs;
                  SmallVector<Value> xRows =
                      fusion ? fusion->quantizeRows(b, l, xs, rows, firstThread,
                                                    qs)
                             : rows;
                  Rescale rescale{epilogue ? &*epilogue : nullptr,
                                  epilogue ? epilogue->rowScales(b, l, rows, qs)
                                           : SmallVector<Value>()};
                  scf::ForOp::create(
                      b, l, c0, c1, indexConstant(b, l, group), ValueRange(),
                      [&](OpBuilder &b, Location l, Value n0, ValueRange) {
                        SmallVector<Value> sums =
                            lanes ? reduceGroupDots(b, l, xs, wm, xRows, n0,
                                                    group, paddedK, accType,
                                                    lanes)
                                  : reduceGroup(b, l, xs, wm, xRows, n0, group,
                                                paddedK, accType);
                        for (size_t r = 0; r < rows.size(); ++r)
                          for (int64_t c = 0; c < group; ++c) {
                            Value n = arith::AddIOp::create(
                                b, l, n0, indexConstant(b, l, c));
                            memref::StoreOp::create(
                                b, l, rescale(b, l, sums[r * group + c], r, n),
                                out, ValueRange{rows[r], n});
                          }
                        scf::YieldOp::create(b, l);
                      });
                  scf::YieldOp::create(b, l);
                });
          };
          rowLoop(indexConstant(b, l, 0), groupedRows, rowsPerGroup);
          rowLoop(groupedRows, mSize, 1);
        });
    return resultTensor(rewriter, loc, resultType, out);
  }
};

struct LowerToVectorPass
    : public mmfree::impl::LowerToVectorBase<LowerToVectorPass> {
  using LowerToVectorBase::LowerToVectorBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Ops without a kernel get the cost model's choice for the module's
    // target; a kernel that cannot lower its op is an error.
    CpuTargetAttr target = getCpuTarget(module);
    if (failed(annotateKernels(module, target, KernelChoice::Auto,
                               KernelChoice::Auto,
                               /*remarks=*/false, [](KernelAttr) {})))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    populateFoldEmptyPatterns(patterns);
    populateTernaryLookupPatterns(patterns);
    populateTernaryTilePatterns(patterns);
    patterns.add<TernaryMatmulToVector>(&getContext(),
                                        target.hasFeature("gfni"));
    populateLMulMatmulToVectorPatterns(patterns, target);
    populateLutToVectorPatterns(patterns, target);
    if (failed(applyPatternsGreedily(module, std::move(patterns))))
      return signalPassFailure();
    // The target is consumed here: later passes and stock tools (mlir-runner,
    // mlir-translate) need not know the mmfree dialect.
    module->removeAttr(kTargetAttrName);
  }
};

} // namespace
