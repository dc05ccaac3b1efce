//===- ContractionMatch.cpp - linalg contractions as rows x K x N ---------===//

#include "ContractionMatch.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace mmfree {

SmallVector<linalg::LinalgOp> collectContractions(Operation *root) {
  SmallVector<linalg::LinalgOp> ops;
  root->walk([&](linalg::LinalgOp op) {
    if (linalg::isaContractionOpInterface(op))
      ops.push_back(op);
  });
  return ops;
}

/// The loop dimensions a projected-permutation map reads, in result order.
static SmallVector<unsigned> dimsOf(AffineMap map) {
  SmallVector<unsigned> dims;
  for (AffineExpr e : map.getResults())
    dims.push_back(cast<AffineDimExpr>(e).getPosition());
  return dims;
}

/// The output dimensions a broadcast adds to its input, and that input.
static std::optional<std::pair<Value, SmallVector<int64_t>>>
matchBroadcast(Value v) {
  if (auto b = v.getDefiningOp<linalg::BroadcastOp>())
    return std::make_pair(b.getInput(),
                          SmallVector<int64_t>(b.getDimensions()));
  if (auto g = v.getDefiningOp<linalg::GenericOp>())
    if (std::optional<SmallVector<int64_t>> dims =
            linalg::isaBroadcastOpInterface(g))
      return std::make_pair(g.getDpsInputs()[0], *dims);
  return std::nullopt;
}

Value transposeInput(Value v) {
  if (auto t = v.getDefiningOp<linalg::TransposeOp>())
    return t.getPermutation() == ArrayRef<int64_t>{1, 0} ? t.getInput()
                                                         : Value();
  if (auto g = v.getDefiningOp<linalg::GenericOp>())
    if (std::optional<SmallVector<int64_t>> perm =
            linalg::isaTransposeOpInterface(g);
        perm && *perm == SmallVector<int64_t>{1, 0})
      return g.getDpsInputs()[0];
  return Value();
}

FailureOr<Contraction> matchContraction(linalg::LinalgOp op, std::string &why) {
  if (!op.hasPureTensorSemantics()) {
    why = "contraction is not on tensors";
    return failure();
  }
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 || failed(dims)) {
    why = "not a contraction of two operands into one result";
    return failure();
  }
  if (dims->k.size() != 1) {
    why = "reduces over " + std::to_string(dims->k.size()) +
          " dimensions (one is supported)";
    return failure();
  }
  if (dims->n.size() != 1) {
    why = dims->n.empty()
              ? "the second operand has no output-channel "
                "dimension (a matrix-vector product)"
              : "the weights have " + std::to_string(dims->n.size()) +
                    " output-channel dimensions (one is supported)";
    return failure();
  }
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (!llvm::all_of(maps,
                    [](AffineMap m) { return m.isProjectedPermutation(); })) {
    why = "indexing maps are not projected permutations";
    return failure();
  }
  unsigned kDim = dims->k[0], nDim = dims->n[0];
  SmallVector<unsigned> cDims = dimsOf(maps[2]);
  if (cDims.back() != nDim) {
    why = "the result does not hold the output channels in its last "
          "dimension";
    return failure();
  }
  SmallVector<unsigned> rows(cDims.begin(), cDims.end() - 1);
  if (rows.empty()) {
    why = "no row dimension (a matrix-vector product)";
    return failure();
  }
  SmallVector<unsigned> aDims = dimsOf(maps[0]);
  SmallVector<unsigned> expectedA(rows);
  expectedA.push_back(kDim);
  if (aDims != expectedA) {
    why = "the activations are not rows x K in the result's row order "
          "(transposed activations)";
    return failure();
  }

  // Weights: batch dimensions must be a broadcast of a K x N / N x K matrix.
  Value rhs = op.getDpsInputs()[1];
  SmallVector<unsigned> bDims = dimsOf(maps[1]);
  SmallVector<int64_t> batchPositions;
  SmallVector<unsigned> weightDims;
  for (auto [pos, d] : llvm::enumerate(bDims)) {
    if (d == kDim || d == nDim)
      weightDims.push_back(d);
    else
      batchPositions.push_back(pos);
  }
  if (!batchPositions.empty()) {
    auto bcast = matchBroadcast(rhs);
    if (!bcast || bcast->second != batchPositions) {
      why = "the weights vary along a batch dimension (not one weight "
            "matrix broadcast over the batch)";
      return failure();
    }
    rhs = bcast->first;
  }
  Contraction c{op,  op.getDpsInputs()[0],
                rhs, weightDims == SmallVector<unsigned>{nDim, kDim},
                0,   0};
  for (Value in = transposeInput(c.rhs); in; in = transposeInput(c.rhs)) {
    c.rhs = in;
    c.rhsTransposed = !c.rhsTransposed;
  }
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  // The mmfree ops need K >= 1 and the kernels non-empty tiles; an empty
  // product is left to linalg, which computes it as its init.
  if (llvm::is_contained(ranges, 0)) {
    why = "a dimension has size 0 (an empty product)";
    return failure();
  }
  c.k = ranges[kDim];
  c.n = ranges[nDim];
  return c;
}

/// `v` (rows... x last) collapsed to 2-D.
static Value flatten(OpBuilder &b, Location loc, Value v) {
  int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
  if (rank == 2)
    return v;
  ReassociationIndices rowDims;
  for (int64_t d = 0; d + 1 < rank; ++d)
    rowDims.push_back(d);
  return tensor::CollapseShapeOp::create(
      b, loc, v, ArrayRef<ReassociationIndices>{rowDims, {rank - 1}});
}

Value flattenLhs(OpBuilder &b, const Contraction &c) {
  return flatten(b, c.op.getLoc(), c.lhs);
}

Value flattenInit(OpBuilder &b, const Contraction &c) {
  return flatten(b, c.op.getLoc(), c.op.getDpsInits()[0]);
}

RankedTensorType flatResultType(const Contraction &c) {
  auto type = cast<RankedTensorType>(c.op->getResult(0).getType());
  int64_t rows = 1;
  for (int64_t size : type.getShape().drop_back())
    rows = ShapedType::isDynamic(size) || ShapedType::isDynamic(rows)
               ? ShapedType::kDynamic
               : rows * size;
  return RankedTensorType::get({rows, type.getShape().back()},
                               type.getElementType());
}

static bool isZeroInit(Value init) {
  if (auto fill = init.getDefiningOp<linalg::FillOp>())
    return matchPattern(fill.getInputs()[0], m_AnyZeroFloat());
  return matchPattern(init, m_AnyZeroFloat());
}

/// Erases the side-effect-free producers of `v` that no longer have users.
static void eraseDeadProducers(RewriterBase &rewriter, Value v) {
  SmallVector<Operation *> worklist;
  if (Operation *def = v.getDefiningOp())
    worklist.push_back(def);
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val();
    if (!op->use_empty() || !isMemoryEffectFree(op))
      continue;
    SmallVector<Operation *> producers;
    for (Value operand : op->getOperands())
      if (Operation *def = operand.getDefiningOp())
        producers.push_back(def);
    rewriter.eraseOp(op);
    for (Operation *def : producers)
      if (!llvm::is_contained(worklist, def))
        worklist.push_back(def);
  }
}

void replaceContraction(RewriterBase &rewriter, const Contraction &c, Value y,
                        bool addInit) {
  Location loc = c.op.getLoc();
  Value init = c.op.getDpsInits()[0];
  if (addInit && !isZeroInit(init)) {
    Value init2d = flattenInit(rewriter, c);
    y = linalg::AddOp::create(rewriter, loc, ValueRange{y, init2d},
                              ValueRange{init2d})
            .getResult(0);
  }
  auto resultType = cast<RankedTensorType>(c.op->getResult(0).getType());
  if (resultType.getRank() != 2) {
    ReassociationIndices rowDims;
    for (int64_t d = 0; d + 1 < resultType.getRank(); ++d)
      rowDims.push_back(d);
    y = tensor::ExpandShapeOp::create(
        rewriter, loc, resultType, y,
        ArrayRef<ReassociationIndices>{rowDims, {resultType.getRank() - 1}},
        tensor::getMixedSizes(rewriter, loc, init));
  }
  SmallVector<Value> inputs(c.op.getDpsInputs());
  rewriter.replaceOp(c.op, y);
  for (Value v : inputs)
    eraseDeadProducers(rewriter, v);
  eraseDeadProducers(rewriter, init);
}

} // namespace mmfree

LogicalResult mmfree::checkF32StaticWeights(const Contraction &c,
                                            std::string &why) {
  auto isF32 = [](Value v) { return getElementTypeOrSelf(v).isF32(); };
  if (!isF32(c.lhs) || !isF32(c.op.getDpsInputs()[1]) ||
      !isF32(c.op->getResult(0))) {
    why = "only f32 contractions are supported";
    return failure();
  }
  if (ShapedType::isDynamic(c.k) || ShapedType::isDynamic(c.n)) {
    why = "weights must have a static shape";
    return failure();
  }
  return success();
}
