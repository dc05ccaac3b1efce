//===- VectorizeElementwise.cpp - vectorize elementwise linalg.generic ----===//
//
// Elementwise work around the mmfree kernels (dequantize, MADDNESS rescale,
// activation quantization, bias adds) would otherwise become scalar loops:
// one million outputs of a 10000 x 100 layer then cost more than the
// lookups. Each static all-parallel linalg.generic on tensors is tiled with
// the upstream TilingInterface into single rows of its innermost loop (whole
// rows up to 128 elements, else the largest power-of-two divisor up to 32)
// and each tile vectorized with linalg::vectorize.
//
//===----------------------------------------------------------------------===//

#include "mmfree/Codegen/Passes.h"
#include "mmfree/Codegen/Utils/TileAndVectorize.h"

namespace mmfree {
#define GEN_PASS_DEF_VECTORIZEELEMENTWISE
#include "mmfree/Codegen/Passes.h.inc"
} // namespace mmfree

using namespace mlir;

namespace {

constexpr int64_t kLanes = 32;
constexpr int64_t kMaxRow = 128;

} // namespace

/// Whether `t`'s elements are whole bytes: vectors of i1 are bit-packed in
/// LLVM memory, tensors of i1 hold a byte per element, so a vector load or
/// store of an i1 tensor reads or writes the wrong bytes (attention masks).
static bool wholeBytes(Type t) {
  Type elt = getElementTypeOrSelf(t);
  return !elt.isIntOrFloat() || elt.getIntOrFloatBitWidth() % 8 == 0;
}

static bool isStaticElementwise(linalg::GenericOp op) {
  return op.hasPureTensorSemantics() && op.getNumLoops() > 0 &&
         llvm::all_of(op->getOperandTypes(), wholeBytes) &&
         op.getNumParallelLoops() == op.getNumLoops() &&
         llvm::all_of(op.getIndexingMapsArray(),
                      [](AffineMap m) { return m.isProjectedPermutation(); }) &&
         llvm::none_of(op.getStaticLoopRanges(), [](int64_t size) {
           // Zero-size generics do nothing; upstream tiling takes no zero
           // tile. Both are left to linalg loops.
           return ShapedType::isDynamic(size) || size == 0;
         });
}

/// Static tiles only (masked vectorization of generics that read through
/// permuted maps is not supported upstream): a whole short row, else the
/// largest power-of-two divisor up to 32.
static int64_t innerTile(int64_t size) {
  if (size <= kMaxRow)
    return size;
  for (int64_t t = kLanes; t > 1; t /= 2)
    if (size % t == 0)
      return t;
  return 1;
}

namespace {

struct VectorizeElementwisePass
    : public mmfree::impl::VectorizeElementwiseBase<VectorizeElementwisePass> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) {
      if (isStaticElementwise(op))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : ops) {
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      SmallVector<int64_t> tiles(ranges.size(), 1);
      tiles.back() = innerTile(ranges.back());
      mmfree::tileAndVectorize(rewriter, op, tiles, /*namedContraction=*/false);
    }
  }
};

} // namespace
