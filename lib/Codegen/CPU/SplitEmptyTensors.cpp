//===- SplitEmptyTensors.cpp - one tensor.empty per init ------------------===//
//
// A tensor.empty shared by many destination-style ops makes One-Shot
// Bufferize's conflict analysis quadratic in their number; a clone per use
// keeps each alias set small. See the pass description in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "mmfree/Codegen/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"

namespace mmfree {
#define GEN_PASS_DEF_SPLITEMPTYTENSORS
#include "mmfree/Codegen/Passes.h.inc"
} // namespace mmfree

using namespace mlir;

namespace {

struct SplitEmptyTensorsPass
    : public mmfree::impl::SplitEmptyTensorsBase<SplitEmptyTensorsPass> {
  void runOnOperation() override {
    OpBuilder b(&getContext());
    getOperation()->walk([&](DestinationStyleOpInterface op) {
      for (OpOperand &init : op.getDpsInitsMutable()) {
        auto empty = init.get().getDefiningOp<tensor::EmptyOp>();
        if (!empty || empty->hasOneUse())
          continue;
        // Beside the original: outside any loop the use is in, as before.
        b.setInsertionPointAfter(empty);
        init.set(b.clone(*empty)->getResult(0));
      }
    });
  }
};

} // namespace
