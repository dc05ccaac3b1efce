//===- FoldConstantGlobals.cpp - immutable globals to constants -----------===//
//
// Front ends (torch-mlir with externalized parameters, TOSA) hold weights in
// immutable ml_program.globals. Loads of those become arith.constant, so that
// the rewrites see constant weights and One-Shot Bufferize sees no
// ml_program op; globals left without uses are erased.
//
//===----------------------------------------------------------------------===//

#include "mmfree/Dialect/MMFree/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mmfree {
#define GEN_PASS_DEF_FOLDCONSTANTGLOBALS
#include "mmfree/Dialect/MMFree/Transforms/Passes.h.inc"
} // namespace mmfree

using namespace mlir;

namespace {

/// A load of an immutable global with an initial value becomes a constant.
template <typename LoadOp> struct LoadToConstant : OpRewritePattern<LoadOp> {
  using OpRewritePattern<LoadOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(LoadOp load,
                                PatternRewriter &rewriter) const override {
    auto global = SymbolTable::lookupNearestSymbolFrom<ml_program::GlobalOp>(
        load, load.getGlobalAttr());
    if (!global || global.getIsMutable() || !global.getValue())
      return rewriter.notifyMatchFailure(load, "not an initialized constant");
    auto value = dyn_cast<TypedAttr>(*global.getValue());
    if (!value || value.getType() != load.getType())
      return rewriter.notifyMatchFailure(load, "initial value of another type");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(load, value);
    return success();
  }
};

struct FoldConstantGlobalsPass
    : public mmfree::impl::FoldConstantGlobalsBase<FoldConstantGlobalsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    RewritePatternSet patterns(&getContext());
    patterns.add<LoadToConstant<ml_program::GlobalLoadConstOp>,
                 LoadToConstant<ml_program::GlobalLoadOp>>(&getContext());
    if (failed(applyPatternsGreedily(module, std::move(patterns))))
      return signalPassFailure();
    for (auto global :
         llvm::make_early_inc_range(module.getOps<ml_program::GlobalOp>()))
      if (global.isPrivate() && !global.getIsMutable() &&
          SymbolTable::symbolKnownUseEmpty(global, module))
        global.erase();
  }
};

} // namespace
