//===- VectorizeMatmul.cpp - tile and vectorize f32 linalg.matmul ---------===//
//
// The f32 baseline of the CPU pipeline: each static f32 linalg.matmul on
// tensors is tiled with the upstream TilingInterface (register tiles of
// 4 x 16 outputs, 16 deep) and each tile vectorized with linalg::vectorize
// into a vector.contract, lowered later to outer products (FMAs). B may be
// f16 or bf16 (a weight table kept narrow): the matmul widens it per tile.
//
//===----------------------------------------------------------------------===//

#include "mmfree/Codegen/CPU/KernelSelection.h"
#include "mmfree/Codegen/Passes.h"
#include "mmfree/Codegen/Utils/TileAndVectorize.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mmfree {
#define GEN_PASS_DEF_VECTORIZEMATMUL
#include "mmfree/Codegen/Passes.h.inc"
} // namespace mmfree

using namespace mlir;
using namespace mmfree;

/// Largest of `preferred` halvings (down to 1) that divides `size`, so every
/// tile is full and static.
static int64_t tileFor(int64_t size, int64_t preferred) {
  for (int64_t t = preferred; t > 1; t /= 2)
    if (size % t == 0)
      return t;
  return 1;
}

/// Reads B through the matmul's indexing map instead of materializing a
/// linalg.transpose of it (torch-mlir's nn.Linear): the copy of the whole
/// weight per call would cost more than the product at batch 1.
static void foldWeightTransposes(IRRewriter &rewriter, ModuleOp module) {
  SmallVector<linalg::MatmulOp> matmuls;
  module.walk([&](linalg::MatmulOp op) { matmuls.push_back(op); });
  MLIRContext *ctx = module.getContext();
  AffineExpr d0, d1, d2;
  bindDims(ctx, d0, d1, d2);
  auto map = [&](ArrayRef<AffineExpr> e) {
    return AffineMap::get(3, 0, e, ctx);
  };
  for (linalg::MatmulOp op : matmuls) {
    auto transpose = op.getDpsInputs()[1].getDefiningOp<linalg::TransposeOp>();
    if (!transpose || !op.hasPureTensorSemantics() ||
        transpose.getPermutation() != ArrayRef<int64_t>{1, 0} ||
        op.getIndexingMapsArray() !=
            SmallVector<AffineMap>{map({d0, d2}), map({d2, d1}), map({d0, d1})})
      continue;
    rewriter.modifyOpInPlace(op, [&] {
      op->setOperand(1, transpose.getInput());
      op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(
          {map({d0, d2}), map({d1, d2}), map({d0, d1})}));
    });
    if (transpose->use_empty())
      rewriter.eraseOp(transpose);
  }
}

/// The narrower float tensor an elementwise linalg.generic only widens to
/// f32 (torch-mlir's `weight.float()`), or null.
static Value widenedFrom(Value value) {
  auto generic = value.getDefiningOp<linalg::GenericOp>();
  if (!generic || !generic.hasPureTensorSemantics() ||
      generic.getNumDpsInputs() != 1 || generic.getNumDpsInits() != 1 ||
      generic.getNumParallelLoops() != generic.getNumLoops() ||
      !llvm::all_of(generic.getIndexingMapsArray(),
                    [](AffineMap map) { return map.isIdentity(); }))
    return {};
  Block &body = generic.getRegion().front();
  auto ext = dyn_cast<arith::ExtFOp>(body.front());
  if (!ext || ext.getIn() != body.getArgument(0) ||
      body.getTerminator()->getOperand(0) != ext.getResult() ||
      !ext.getType().isF32())
    return {};
  return generic.getDpsInputs()[0];
}

/// Reads a widened B in its narrow type inside the matmul (whose body then
/// extends each element) instead of materializing its f32 copy: for an f16
/// output head of 128256 x 2560, a 1.3 GB write and read per call saved.
static void foldWeightWidening(IRRewriter &rewriter, ModuleOp module) {
  SmallVector<linalg::MatmulOp> matmuls;
  module.walk([&](linalg::MatmulOp op) { matmuls.push_back(op); });
  for (linalg::MatmulOp op : matmuls) {
    Value narrow = widenedFrom(op.getDpsInputs()[1]);
    if (!narrow || !op.hasPureTensorSemantics() ||
        op.getCast() != linalg::TypeFn::cast_signed)
      continue;
    Operation *widen = op.getDpsInputs()[1].getDefiningOp();
    rewriter.setInsertionPoint(op);
    auto folded = linalg::MatmulOp::create(
        rewriter, op.getLoc(), op->getResultTypes(),
        ValueRange{op.getDpsInputs()[0], narrow}, op.getDpsInits());
    folded.setIndexingMapsAttr(op.getIndexingMaps());
    rewriter.replaceOp(op, folded->getResults());
    if (widen->use_empty())
      rewriter.eraseOp(widen);
  }
}

/// Whether `op` is on tensors with static, non-empty loop ranges (what
/// upstream tiling and vectorization take).
static bool isStaticOnTensors(linalg::LinalgOp op) {
  return op.hasPureTensorSemantics() &&
         llvm::all_of(op.getStaticLoopRanges(), [](int64_t s) {
           return !ShapedType::isDynamic(s) && s > 0;
         });
}

/// f32 A and C; B f32 or a narrower float the matmul widens.
static bool hasVectorTypes(linalg::MatmulOp op) {
  auto isF32 = [](Value v) { return getElementTypeOrSelf(v).isF32(); };
  Type b = getElementTypeOrSelf(op.getDpsInputs()[1]);
  return isF32(op.getDpsInputs()[0]) && isF32(op.getDpsInits()[0]) &&
         (b.isF32() || b.isF16() || b.isBF16());
}

/// Applies `patterns` to the ops of the vectorized tiles in `blocks`.
static LogicalResult simplifyTiles(ArrayRef<Block *> blocks,
                                   RewritePatternSet &&patterns) {
  SmallVector<Operation *> ops;
  for (Block *block : blocks)
    for (Operation &op : *block)
      ops.push_back(&op);
  return applyOpPatternsGreedily(ops, std::move(patterns));
}

namespace {

/// Lanes of the split reduction of a GEMV: one AVX-512 register of f32
/// (two on AVX2).
constexpr int64_t kGemvLanes = 16;

} // namespace

/// Whether `op` is a GEMV (M = 1) on B in nn.Linear's N x K layout.
static bool isLinearGemv(linalg::MatmulOp op) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (ranges[0] != 1 || ranges[2] % kGemvLanes != 0)
    return false;
  AffineMap b = op.getIndexingMapsArray()[1];
  return b.getNumResults() == 2 && b.getDimPosition(0) == 1 &&
         b.getDimPosition(1) == 2;
}

/// A GEMV with K split into K/16 x 16, the 16 kept parallel (upstream
/// splitReduction), so that each tile is 8 rows x 16 elementwise FMAs into
/// vector accumulators, reduced across lanes once per row at the end;
/// tiling the matmul itself transposes a 16 x 16 block of B per tile (the
/// shuffles, not the bytes, bounded a 128256 x 2560 head at ~20 GB/s).
static FailureOr<linalg::SplitReductionResult> splitGemv(RewriterBase &rewriter,
                                                         linalg::MatmulOp op) {
  auto control = [](linalg::LinalgOp) {
    return linalg::SplitReductionOptions{kGemvLanes, /*index=*/2,
                                         /*innerParallel=*/true};
  };
  rewriter.setInsertionPoint(op);
  return linalg::splitReduction(rewriter, op, control);
}

namespace {

/// a * b + c on vectors as one vector.fma (LLVM contracts nothing without
/// fast-math flags, and the split GEMV's tiles are mulf + addf).
struct MultiplyAddToFma : OpRewritePattern<arith::AddFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::AddFOp add,
                                PatternRewriter &rewriter) const override {
    if (!isa<VectorType>(add.getType()))
      return rewriter.notifyMatchFailure(add, "not on vectors");
    for (int i = 0; i < 2; ++i) {
      auto mul = add->getOperand(i).getDefiningOp<arith::MulFOp>();
      if (!mul || !mul->hasOneUse())
        continue;
      rewriter.replaceOpWithNewOp<vector::FMAOp>(
          add, mul.getLhs(), mul.getRhs(), add->getOperand(1 - i));
      return success();
    }
    return rewriter.notifyMatchFailure(add, "no single-use multiply");
  }
};

} // namespace

/// Tiles and vectorizes a split GEMV of `rows`-row tiles. In the first op,
/// dimensions (m, n, K / 16, 16), the reduction of size 1 per tile becomes
/// an elementwise add; the second, (m, n, 16), reduces each row's lanes.
static LogicalResult vectorizeSplitGemv(RewriterBase &rewriter,
                                        linalg::SplitReductionResult &split,
                                        int64_t rows, int64_t threads) {
  MLIRContext *ctx = rewriter.getContext();
  // With threads, one scf.forall chunk of rows per thread (an OpenMP
  // region after bufferization): a head streams hundreds of MB per call.
  int64_t n = split.splitLinalgOp.getStaticLoopRanges()[1];
  if (threads > 1 && n % (threads * rows) == 0) {
    scf::SCFTilingOptions options;
    options.setTileSizes(getAsIndexOpFoldResult(ctx, {0, n / threads, 0, 0}));
    options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
    rewriter.setInsertionPoint(split.splitLinalgOp);
    FailureOr<scf::SCFTilingResult> chunks = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(split.splitLinalgOp.getOperation()),
        options);
    if (failed(chunks))
      return failure();
    rewriter.replaceOp(split.splitLinalgOp, chunks->replacements);
    split.splitLinalgOp = cast<linalg::LinalgOp>(chunks->tiledOps.front());
  }
  RewritePatternSet accumulate(ctx);
  vector::MultiDimReductionOp::getCanonicalizationPatterns(accumulate, ctx);
  vector::populateVectorTransferPermutationMapLoweringPatterns(accumulate);
  accumulate.add<MultiplyAddToFma>(ctx);
  SmallVector<Block *> tiles = mmfree::tileAndVectorize(
      rewriter, split.splitLinalgOp, {1, rows, 1, kGemvLanes}, false,
      /*dropUnitDims=*/true);
  if (failed(simplifyTiles(tiles, std::move(accumulate))))
    return failure();
  RewritePatternSet reduceRows(ctx);
  vector::populateVectorMultiReductionLoweringPatterns(
      reduceRows, vector::VectorMultiReductionLowering::InnerReduction);
  return simplifyTiles(mmfree::tileAndVectorize(rewriter,
                                                split.resultCombiningLinalgOp,
                                                {1, rows, kGemvLanes}, false,
                                                /*dropUnitDims=*/true),
                       std::move(reduceRows));
}

namespace {

struct VectorizeMatmulPass
    : public mmfree::impl::VectorizeMatmulBase<VectorizeMatmulPass> {
  using VectorizeMatmulBase::VectorizeMatmulBase;

  void runOnOperation() override {
    IRRewriter folder(&getContext());
    foldWeightTransposes(folder, getOperation());
    foldWeightWidening(folder, getOperation());
    SmallVector<linalg::MatmulOp> matmuls;
    getOperation().walk([&](linalg::MatmulOp op) {
      // Only static, non-empty f32 products (B possibly narrower) on
      // tensors: the rest (on memrefs, other types, zero-size) go through
      // linalg loops, which take any of them.
      if (isStaticOnTensors(op) && hasVectorTypes(op))
        matmuls.push_back(op);
    });
    CpuTargetAttr cpu = getCpuTarget(getOperation());
    if (!target.empty()) {
      std::string error;
      cpu = parseCpuTarget(&getContext(), target, 1, error);
      if (!cpu) {
        emitError(getOperation().getLoc())
            << "mmfree-vectorize-matmul: " << error;
        return signalPassFailure();
      }
    }
    // GEMV accumulators (rows x 16 lanes) in half the vector registers.
    const int64_t gemvRows = cpu.hasFeature("avx512f") ? 8 : 4;
    IRRewriter rewriter(&getContext());
    for (linalg::MatmulOp op : matmuls) {
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      if (isLinearGemv(op)) {
        FailureOr<linalg::SplitReductionResult> split = splitGemv(rewriter, op);
        if (succeeded(split)) {
          if (failed(vectorizeSplitGemv(rewriter, *split,
                                        tileFor(ranges[1], gemvRows), threads)))
            signalPassFailure();
          continue;
        }
      }
      SmallVector<int64_t> tiles = {tileFor(ranges[0], 4),
                                    tileFor(ranges[1], 16),
                                    tileFor(ranges[2], 16)};
      // linalg::vectorize's named-contraction path builds a vector.contract
      // of mixed operand types (invalid). The generic path extends B after
      // its read and leaves broadcasting reads, mulf and a multi_reduction:
      // made the vector.contract of the f32 tiles (A 1 x K, B N x K).
      bool sameTypes = getElementTypeOrSelf(op.getDpsInputs()[1]).isF32();
      SmallVector<Block *> blocks =
          mmfree::tileAndVectorize(rewriter, op, tiles, sameTypes);
      if (sameTypes)
        continue;
      RewritePatternSet patterns(&getContext());
      vector::populateVectorReductionToContractPatterns(patterns);
      vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
      vector::populateSinkVectorOpsPatterns(patterns);
      if (failed(simplifyTiles(blocks, std::move(patterns))))
        signalPassFailure();
    }
    vectorizeBatchMatmuls(rewriter);
  }

  /// f32 batch matmuls (attention's scores and weighted values): tiles of
  /// 1 x 4 x 16 x 16, each a vector.contract; as scalar loops they were a
  /// large part of a decoder layer.
  void vectorizeBatchMatmuls(RewriterBase &rewriter) {
    SmallVector<linalg::BatchMatmulOp> batched;
    getOperation().walk([&](linalg::BatchMatmulOp op) {
      auto isF32 = [](Type t) { return getElementTypeOrSelf(t).isF32(); };
      if (isStaticOnTensors(op) && llvm::all_of(op->getOperandTypes(), isF32))
        batched.push_back(op);
    });
    for (linalg::BatchMatmulOp op : batched) {
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      mmfree::tileAndVectorize(rewriter, op,
                               {1, tileFor(ranges[1], 4),
                                tileFor(ranges[2], 16), tileFor(ranges[3], 16)},
                               /*namedContraction=*/true);
    }
  }
};

} // namespace
