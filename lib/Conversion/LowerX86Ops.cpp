//===- LowerX86Ops.cpp - mmfree x86 ops -> LLVM x86 intrinsics ------===//
//
// The byte shuffle of the MADDNESS lookups, the byte dots of the ternary
// kernel and the lane permutation of the MADDNESS encode become the x86
// intrinsics of their widths. They stay mmfree ops until after
// bufferization because llvm.call_intrinsic declares no memory effects,
// which buffer deallocation rejects.
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

struct PermuteLanesToIntrinsic : OpRewritePattern<PermuteLanesOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PermuteLanesOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, LLVM::CallIntrinsicOp::create(
                rewriter, op.getLoc(), op.getType(),
                rewriter.getStringAttr("llvm.x86.avx512.permvar.sf.512"),
                ValueRange{op.getTable(), op.getIndices()})
                ->getResults());
    return success();
  }
};

struct LowerX86OpsPass : public mmfree::impl::LowerX86OpsBase<LowerX86OpsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ShuffleBytesToIntrinsic, DotBytesToIntrinsic,
                 PermuteLanesToIntrinsic>(&getContext());
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace
