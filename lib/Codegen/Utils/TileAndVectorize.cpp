//===- TileAndVectorize.cpp - upstream tiling + vectorization -------------===//

#include "mmfree/Codegen/Utils/TileAndVectorize.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;

SmallVector<Block *> mmfree::tileAndVectorize(RewriterBase &rewriter,
                                              Operation *op,
                                              ArrayRef<int64_t> tiles,
                                              bool namedContraction,
                                              bool dropUnitDims) {
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(op->getContext(), tiles));
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(op), options);
  if (failed(tiled))
    return {};
  rewriter.replaceOp(op, tiled->replacements);
  SmallVector<Block *> blocks;
  for (Operation *tile : tiled->tiledOps) {
    rewriter.setInsertionPoint(tile);
    // Transfers of 3-D vectors with unit dimensions lower through stack
    // buffers allocated inside the loops (VectorToSCF).
    if (auto generic = dyn_cast<linalg::GenericOp>(tile);
        generic && dropUnitDims) {
      linalg::ControlDropUnitDims options;
      options.rankReductionStrategy = linalg::ControlDropUnitDims::
          RankReductionStrategy::ExtractInsertSlice;
      FailureOr<linalg::DropUnitDimsResult> dropped =
          linalg::dropUnitDims(rewriter, generic, options);
      if (succeeded(dropped)) {
        rewriter.replaceOp(tile, dropped->replacements);
        tile = dropped->resultOp;
      }
    }
    FailureOr<linalg::VectorizationResult> vec = linalg::vectorize(
        rewriter, tile, /*inputVectorSizes=*/{},
        /*inputScalableVecDims=*/{}, /*vectorizeNDExtract=*/false,
        /*flatten1DDepthwiseConv=*/false,
        /*assumeDynamicDimsMatchVecSizes=*/false, namedContraction);
    if (succeeded(vec)) {
      blocks.push_back(tile->getBlock());
      rewriter.replaceOp(tile, vec->replacements);
    }
  }
  return blocks;
}
