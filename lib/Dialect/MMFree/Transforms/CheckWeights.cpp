//===- CheckWeights.cpp - constant operands hold values the kernels take --===//
//
// The ternary kernels decode 2-bit codes 0, 1, 2 and rely on zero padding
// past K; the LUT kernels index tables with codes in [0, 16) and rows with
// split dimensions in [0, D). Constant operands are checked here, once,
// before lowering (op verifiers check only the op itself, not its operands'
// producers).
//
//===----------------------------------------------------------------------===//

#include "mmfree/Dialect/MMFree/Transforms/Passes.h"
#include "mmfree/Numerics/Maddness.h"
#include "mmfree/Numerics/Ternary.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

namespace mmfree {
#define GEN_PASS_DEF_CHECKWEIGHTS
#include "mmfree/Dialect/MMFree/Transforms/Passes.h.inc"
} // namespace mmfree

using namespace mlir;
using namespace mmfree;

/// Whether the constant `packed` (N x blocks x 16 bytes) holds valid codes
/// for K weights per row; a splat is checked on one row.
static bool validCodes(DenseIntElementsAttr packed, int64_t n, int64_t k) {
  int64_t rowBytes = numerics::numBlocks(k) * numerics::kBlockBytes;
  ArrayRef<char> raw = packed.getRawData();
  if (packed.isSplat()) {
    std::vector<uint8_t> row(rowBytes, uint8_t(raw[0]));
    return numerics::packedCodesValid(row.data(), 1, k);
  }
  return numerics::packedCodesValid(
      reinterpret_cast<const uint8_t *>(raw.data()), n, k);
}

/// The first value of a constant operand outside [lo, hi); a splat is read
/// once, not once per element.
static std::optional<int64_t> valueOutside(Value operand, bool isUnsigned,
                                           int64_t lo, int64_t hi) {
  DenseIntElementsAttr values;
  if (!matchPattern(operand, m_Constant(&values)))
    return std::nullopt;
  auto read = [&](const APInt &v) {
    return isUnsigned ? int64_t(v.getZExtValue()) : v.getSExtValue();
  };
  if (values.isSplat()) {
    int64_t v = read(values.getSplatValue<APInt>());
    return v < lo || v >= hi ? std::optional(v) : std::nullopt;
  }
  for (const APInt &value : values.getValues<APInt>())
    if (int64_t v = read(value); v < lo || v >= hi)
      return v;
  return std::nullopt;
}

namespace {

struct CheckWeightsPass
    : public mmfree::impl::CheckWeightsBase<CheckWeightsPass> {
  void runOnOperation() override {
    WalkResult result = getOperation().walk([](Operation *op) {
      if (auto ternary = dyn_cast<TernaryMatmulOp>(op)) {
        DenseIntElementsAttr packed;
        if (!matchPattern(ternary.getWeights(), m_Constant(&packed)) ||
            validCodes(packed, ternary.getWeights().getType().getDimSize(0),
                       ternary.getK()))
          return WalkResult::advance();
        ternary.emitOpError("packed weights hold an invalid code (0b11) or "
                            "a nonzero weight past k = ")
            << ternary.getK();
        return WalkResult::interrupt();
      }
      if (auto encode = dyn_cast<LutEncodeOp>(op)) {
        auto input = encode.getInput().getType();
        int64_t cols = input.getDimSize(encode.getTransposeInput() ? 0 : 1);
        if (ShapedType::isDynamic(cols))
          return WalkResult::advance();
        if (std::optional<int64_t> v =
                valueOutside(encode.getDims(), /*isUnsigned=*/false, 0, cols)) {
          encode.emitOpError("split dimension ")
              << *v << " is outside the input's " << cols << " columns";
          return WalkResult::interrupt();
        }
      }
      if (auto lut = dyn_cast<LutMatmulOp>(op))
        if (std::optional<int64_t> v = valueOutside(
                lut.getCodes(), /*isUnsigned=*/true, 0, numerics::kBuckets)) {
          lut.emitOpError("code ") << *v << " is outside [0, 16)";
          return WalkResult::interrupt();
        }
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
