//===- LowerX86Ops.cpp - mmfree.shuffle_bytes -> x86 pshufb ---------===//
//
// The byte shuffle of the MADDNESS lookups becomes the x86 intrinsic of its
// width. It stays an mmfree op until after bufferization because
// llvm.call_intrinsic declares no memory effects, which buffer deallocation
// rejects.
//
//===----------------------------------------------------------------------===//

#include "mmfree/Conversion/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mmfree {
#define GEN_PASS_DEF_LOWERX86OPS
#include "mmfree/Conversion/Passes.h.inc"
} // namespace mmfree

using namespace mlir;
using namespace mmfree;

namespace {

struct ShuffleBytesToIntrinsic : OpRewritePattern<ShuffleBytesOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ShuffleBytesOp op,
                                PatternRewriter &rewriter) const override {
    int64_t lanes = op.getType().getNumElements();
    StringRef name = lanes == 64   ? "llvm.x86.avx512.pshuf.b.512"
                     : lanes == 32 ? "llvm.x86.avx2.pshuf.b"
                                   : "llvm.x86.ssse3.pshuf.b.128";
    rewriter.replaceOp(op, LLVM::CallIntrinsicOp::create(
                               rewriter, op.getLoc(), op.getType(),
                               rewriter.getStringAttr(name),
                               ValueRange{op.getTable(), op.getIndices()})
                               ->getResults());
    return success();
  }
};

struct DotBytesToIntrinsic : OpRewritePattern<DotBytesOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DotBytesOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, LLVM::CallIntrinsicOp::create(
                rewriter, op.getLoc(), op.getType(),
                // The 256-bit form is AVX-VNNI's VEX vpdpbusd where the
                // target lacks AVX-512.
                rewriter.getStringAttr(op.getType().getNumElements() == 16
                                           ? "llvm.x86.avx512.vpdpbusd.512"
                                           : "llvm.x86.avx512.vpdpbusd.256"),
                ValueRange{op.getAcc(), op.getLhs(), op.getRhs()})
                ->getResults());
    return success();
  }
};

struct LowerX86OpsPass : public mmfree::impl::LowerX86OpsBase<LowerX86OpsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ShuffleBytesToIntrinsic, DotBytesToIntrinsic>(&getContext());
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace
