//===- CheckWeights.cpp - constant packed weights hold valid codes --------===//
//
// The kernels decode 2-bit codes 0, 1, 2 and rely on zero padding past K.
// Constant packed weights are checked here, once, before lowering (the op
// verifier checks only the op itself, not its operands' producers).
//
//===----------------------------------------------------------------------===//

#include "mmfree/Dialect/MMFree/Transforms/Passes.h"
#include "mmfree/Numerics/Ternary.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

namespace mmfree {
#define GEN_PASS_DEF_CHECKWEIGHTS
#include "mmfree/Dialect/MMFree/Transforms/Passes.h.inc"
} // namespace mmfree

using namespace mlir;
using namespace mmfree;

namespace {

/// Whether the constant `packed` (N x blocks x 16 bytes) holds valid codes
/// for K weights per row; a splat is checked on one row.
bool validCodes(DenseIntElementsAttr packed, int64_t n, int64_t k) {
  int64_t rowBytes = numerics::numBlocks(k) * numerics::kBlockBytes;
  ArrayRef<char> raw = packed.getRawData();
  if (packed.isSplat()) {
    std::vector<uint8_t> row(rowBytes, uint8_t(raw[0]));
    return numerics::packedCodesValid(row.data(), 1, k);
  }
  return numerics::packedCodesValid(
      reinterpret_cast<const uint8_t *>(raw.data()), n, k);
}

struct CheckWeightsPass
    : public mmfree::impl::CheckWeightsBase<CheckWeightsPass> {
  void runOnOperation() override {
    WalkResult result = getOperation().walk([](TernaryMatmulOp op) {
      DenseIntElementsAttr packed;
      if (!matchPattern(op.getWeights(), m_Constant(&packed)))
        return WalkResult::advance();
      if (validCodes(packed, op.getWeights().getType().getDimSize(0),
                     op.getK()))
        return WalkResult::advance();
      op.emitOpError("packed weights hold an invalid code (0b11) or a "
                     "nonzero weight past k = ")
          << op.getK();
      return WalkResult::interrupt();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
