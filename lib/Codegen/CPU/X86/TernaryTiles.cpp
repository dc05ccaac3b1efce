//===- TernaryTiles.cpp - ternary_matmul on AMX int8 tiles ----------------===//
//
// The AMX lowering of mmfree.ternary_matmul (i8 activations, M a multiple
// of 32): per panel of 32 output channels, the 2-bit weights are decoded
// once into signed bytes {-1, 0, 1} in the tiles' layout (row r of block t
// of a 16-channel tile holds, for each channel, its weights 64t + 4r .. +3),
// a K x 32 byte panel on the stack; then per 32 rows two activation tiles
// (16 x 64 bytes each) meet the panel's two weight tiles in `tdpbssd`
// (amx.tile_muli), 16 x 16 x 64 products per instruction into 2 x 2 i32
// accumulator tiles, over all K blocks in straight-line code (tiles cannot
// be loop-carried through the LLVM conversion), stored once to a 32 x 32
// scratch from which rows of 16 sums go to the result, through the fused
// dequantization (TernaryEpilogue) when there is one. The decode reads a
// block's 16 channels as 16 x 4 dwords, transposes them, and makes each
// tile row from one column by a shift, a mask and one byte shuffle. Linux
// grants AMX state per process on request: every call first asks for it
// (arch_prctl ARCH_REQ_XCOMP_PERM, a syscall that is a no-op once granted).
//
//===----------------------------------------------------------------------===//

#include "mmfree/Codegen/CPU/KernelSelection.h"
#include "mmfree/Codegen/CPU/TernaryEpilogue.h"
#include "mmfree/Codegen/Passes.h"
#include "mmfree/Codegen/Utils/BufferBuilders.h"
#include "mmfree/Codegen/Utils/LMulBuilders.h"
#include "mmfree/Codegen/Utils/TernaryBuilders.h"
#include "mmfree/Codegen/Utils/ThreadBuilders.h"
#include "mmfree/Numerics/Ternary.h"

#include "mlir/Dialect/AMX/AMXDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/Support/DebugLog.h"

using namespace mlir;
using namespace mmfree;

#define DEBUG_TYPE "mmfree-ternary-tiles"

namespace {

using numerics::kBlockBytes;
using numerics::kBlockWeights;

/// Rows of one AMX tile (and dwords per decoded block row).
constexpr int64_t kTile = 16;
/// Weight tiles side by side in a panel: with two row tiles, 2 x 2
/// accumulators and 2 + 2 operand tiles fill the 8 tile registers, one
/// tile load per product.
constexpr int64_t kPanelTiles = kTilePanel / kTile;

} // namespace

/// Asks Linux for the AMX tile data state (arch_prctl(ARCH_REQ_XCOMP_PERM,
/// XFEATURE_XTILEDATA)); without it the first tile instruction faults.
static void requestTileState(OpBuilder &b, Location loc) {
  Type i64 = b.getI64Type();
  auto constant = [&](int64_t v) {
    return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
  };
  LLVM::InlineAsmOp::create(
      b, loc, i64, ValueRange{constant(158), constant(0x1023), constant(18)},
      "syscall", "={rax},{rax},{rdi},{rsi},~{rcx},~{r11},~{memory}",
      /*has_side_effects=*/true, /*is_align_stack=*/false,
      LLVM::tailcallkind::TailCallKind::None, LLVM::AsmDialectAttr(),
      ArrayAttr());
}

namespace {

struct TernaryMatmulToTiles : OpRewritePattern<TernaryMatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(TernaryMatmulOp op,
                                PatternRewriter &rewriter) const override {
    auto kernel = op->getAttrOfType<KernelAttr>(kKernelAttrName);
    if (!kernel || kernel.getKind() != KernelKind::Tiles)
      return rewriter.notifyMatchFailure(op, "not a tiles kernel");
    // annotateKernels checked the rest (kernelMismatch): i8 activations,
    // i16/i32 sums, M a multiple of 32, N of 32 x threads, K at most 16384.
    LDBG() << "ternary tiles for " << op;
    Location loc = op.getLoc();
    auto resultType = op.getResult().getType();
    int64_t m = resultType.getDimSize(0), n = resultType.getDimSize(1);
    int64_t blocks = numerics::numBlocks(op.getK());
    int64_t threads = kernel.getThreads();
    Value x = readOnlyBuffer(
        rewriter, loc, padToBlocks(rewriter, loc, op.getInput(), op.getK()));
    Value w = readOnlyBuffer(rewriter, loc, op.getWeights());
    std::optional<TernaryEpilogue> epilogue =
        TernaryEpilogue::match(rewriter, loc, op, nullptr);
    auto outType =
        epilogue ? cast<RankedTensorType>(epilogue->op.getType()) : resultType;
    Value out = resultBuffer(rewriter, loc, outType);
    requestTileState(rewriter, loc);
    forEachThreadChunk(
        rewriter, loc, n, threads, /*align=*/1,
        [&](OpBuilder &b, Location l, Value, Value c0, Value c1) {
          auto panelType = MemRefType::get(
              {blocks * kTile, kPanelTiles * 4 * kTile}, b.getI8Type());
          Value panel = memref::AllocaOp::create(b, l, panelType, ValueRange(),
                                                 b.getI64IntegerAttr(64));
          auto sumsType =
              MemRefType::get({kTileRows, kTilePanel}, b.getI32Type());
          Value sums = memref::AllocaOp::create(b, l, sumsType, ValueRange(),
                                                b.getI64IntegerAttr(64));
          scf::ForOp::create(
              b, l, c0, c1, indexConstant(b, l, kTilePanel), ValueRange(),
              [&](OpBuilder &b, Location l, Value n0, ValueRange) {
                decodePanel(b, l, w, panel, n0, blocks);
                scf::ForOp::create(
                    b, l, indexConstant(b, l, 0), indexConstant(b, l, m),
                    indexConstant(b, l, kTileRows), ValueRange(),
                    [&](OpBuilder &b, Location l, Value m0, ValueRange) {
                      multiplyRows(b, l, x, panel, sums, m0, blocks);
                      storeSums(b, l, sums, out, m0, n0,
                                resultType.getElementType(), epilogue);
                      scf::YieldOp::create(b, l);
                    });
                scf::YieldOp::create(b, l);
              });
        });
    replaceTernaryResult(rewriter, op, epilogue,
                         resultTensor(rewriter, loc, outType, out));
    return success();
  }

  /// Channels n0 .. n0 + 31 of the packed weights `w` ([N][T][16]) into
  /// `panel` ([T * 16][2 * 64] signed bytes): block t's row r holds, for
  /// each channel 16h + c, its weights 64t + 4r .. 64t + 4r + 3 at bytes
  /// 64h + 4c .. 64h + 4c + 3.
  static void decodePanel(OpBuilder &b, Location loc, Value w, Value panel,
                          Value n0, int64_t blocks) {
    Type i8 = b.getI8Type(), i32 = b.getI32Type();
    constexpr int64_t kDwords = kBlockBytes / 4;
    auto packedVec = VectorType::get({kBlockBytes}, i8);
    auto packedDwords = VectorType::get({kDwords}, i32);
    auto byteVec = VectorType::get({kBlockWeights}, i8);
    auto dwordVec = VectorType::get({kTile}, i32);
    auto blockVec = VectorType::get({kTile, kDwords}, i32);
    // Codes 0 (0), 1 (+1), 2 (-1) to signed bytes.
    SmallVector<int8_t> signedCodes;
    for (int64_t i = 0; i < kBlockWeights; ++i)
      signedCodes.push_back(int8_t(numerics::offsetCode(i % 16 & 3)) - 1);
    scf::ForOp::create(
        b, loc, indexConstant(b, loc, 0), indexConstant(b, loc, blocks),
        indexConstant(b, loc, 1), ValueRange(),
        [&](OpBuilder &b, Location l, Value t, ValueRange) {
          Value pad = zeroOf(b, l, i8);
          Value mask = splat(b, l, dwordVec, 0x03030303);
          Value table = arith::ConstantOp::create(
              b, l,
              DenseElementsAttr::get(byteVec, ArrayRef<int8_t>(signedCodes)));
          Value row0 =
              arith::MulIOp::create(b, l, t, indexConstant(b, l, kTile));
          for (int64_t h = 0; h < kPanelTiles; ++h) {
            // The 16 channels' packed blocks as 16 x 4 dwords, transposed:
            // column q holds every channel's bytes 4q .. 4q + 3, which
            // carry weights 16s + 4q .. + 3 at bits 2s (slice s), i.e.
            // the tile's row 4s + q once shifted by 2s and masked.
            Value block = zeroOf(b, l, blockVec);
            for (int64_t c = 0; c < kTile; ++c) {
              Value channel = arith::AddIOp::create(
                  b, l, n0, indexConstant(b, l, h * kTile + c));
              Value packed = vector::TransferReadOp::create(
                  b, l, packedVec, w,
                  ValueRange{channel, t, indexConstant(b, l, 0)}, pad,
                  ArrayRef<bool>{true});
              block = vector::InsertOp::create(
                  b, l, vector::BitCastOp::create(b, l, packedDwords, packed),
                  block, ArrayRef<int64_t>{c});
            }
            Value columns = vector::TransposeOp::create(
                b, l, block, ArrayRef<int64_t>{1, 0});
            for (int64_t q = 0; q < kDwords; ++q) {
              Value column = vector::ExtractOp::create(b, l, columns,
                                                       ArrayRef<int64_t>{q});
              for (int64_t slice = 0; slice < kDwords; ++slice) {
                Value codes = arith::AndIOp::create(
                    b, l,
                    arith::ShRUIOp::create(b, l, column,
                                           splat(b, l, dwordVec, 2 * slice)),
                    mask);
                Value weights = X86ShuffleBytesOp::create(
                    b, l, table,
                    vector::BitCastOp::create(b, l, byteVec, codes));
                vector::TransferWriteOp::create(
                    b, l, weights, panel,
                    ValueRange{arith::AddIOp::create(
                                   b, l, row0,
                                   indexConstant(b, l, kDwords * slice + q)),
                               indexConstant(b, l, h * 4 * kTile)},
                    ArrayRef<bool>{true});
              }
            }
          }
          scf::YieldOp::create(b, l);
        });
  }

  /// Rows m0 .. m0 + 31 of `x` against the panel: two row tiles by
  /// kPanelTiles weight tiles of accumulators over every block, stored into
  /// `sums` (32 x kTilePanel i32).
  static void multiplyRows(OpBuilder &b, Location loc, Value x, Value panel,
                           Value sums, Value m0, int64_t blocks) {
    auto bytesTile = amx::TileType::get({kTile, 4 * kTile}, b.getI8Type());
    auto sumsTile = amx::TileType::get({kTile, kTile}, b.getI32Type());
    Value rowStarts[] = {
        m0, arith::AddIOp::create(b, loc, m0, indexConstant(b, loc, kTile))};
    SmallVector<Value> accs;
    for (int64_t i = 0; i < 2 * kPanelTiles; ++i)
      accs.push_back(amx::TileZeroOp::create(b, loc, sumsTile));
    for (int64_t t = 0; t < blocks; ++t) {
      Value k0 = indexConstant(b, loc, t * kBlockWeights);
      SmallVector<Value> weights;
      for (int64_t h = 0; h < kPanelTiles; ++h)
        weights.push_back(amx::TileLoadOp::create(
            b, loc, bytesTile, panel,
            ValueRange{indexConstant(b, loc, t * kTile),
                       indexConstant(b, loc, h * 4 * kTile)}));
      for (int64_t i = 0; i < 2; ++i) {
        Value rows = amx::TileLoadOp::create(b, loc, bytesTile, x,
                                             ValueRange{rowStarts[i], k0});
        for (int64_t h = 0; h < kPanelTiles; ++h) {
          Value &acc = accs[i * kPanelTiles + h];
          acc =
              amx::TileMulIOp::create(b, loc, sumsTile, rows, weights[h], acc);
        }
      }
    }
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t h = 0; h < kPanelTiles; ++h)
        amx::TileStoreOp::create(b, loc, sums,
                                 ValueRange{indexConstant(b, loc, i * kTile),
                                            indexConstant(b, loc, h * kTile)},
                                 accs[i * kPanelTiles + h]);
  }

  /// The 32 x kTilePanel sums into rows m0 .. and columns n0 .. of `out`: as
  /// `type` (i32, or i16 when K is short enough), or through the epilogue.
  static void storeSums(OpBuilder &b, Location loc, Value sums, Value out,
                        Value m0, Value n0, Type type,
                        const std::optional<TernaryEpilogue> &epilogue) {
    auto lanes = VectorType::get({kTile}, b.getI32Type());
    auto outLanes = VectorType::get({kTile}, type);
    Value pad = zeroOf(b, loc, b.getI32Type());
    scf::ForOp::create(
        b, loc, indexConstant(b, loc, 0), indexConstant(b, loc, kTileRows),
        indexConstant(b, loc, 1), ValueRange(),
        [&](OpBuilder &b, Location l, Value r, ValueRange) {
          Value m = arith::AddIOp::create(b, l, m0, r);
          SmallVector<Value> q = epilogue ? epilogue->rowScales(b, l, {m}, {})
                                          : SmallVector<Value>();
          for (int64_t h = 0; h < kPanelTiles; ++h) {
            Value row = vector::TransferReadOp::create(
                b, l, lanes, sums,
                ValueRange{r, indexConstant(b, l, h * kTile)}, pad,
                ArrayRef<bool>{true});
            Value n =
                arith::AddIOp::create(b, l, n0, indexConstant(b, l, h * kTile));
            if (epilogue)
              row = epilogue->apply(b, l, row, n, q.empty() ? Value() : q[0]);
            else if (type != b.getI32Type())
              row = arith::TruncIOp::create(b, l, outLanes, row);
            vector::TransferWriteOp::create(b, l, row, out, ValueRange{m, n},
                                            ArrayRef<bool>{true});
          }
          scf::YieldOp::create(b, l);
        });
  }
};

} // namespace

void mmfree::populateTernaryTilePatterns(RewritePatternSet &patterns) {
  patterns.add<TernaryMatmulToTiles>(patterns.getContext());
}
