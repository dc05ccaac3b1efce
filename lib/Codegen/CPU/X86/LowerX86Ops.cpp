//===- LowerX86Ops.cpp - mmfree x86 ops -> LLVM x86 intrinsics ------===//
//
// The byte shuffle of the MADDNESS lookups, the byte dots (or byte- and
// word-pair multiply-adds, on AVX2) and GF(2) affine byte maps (the decode
// of runtime weights, with GFNI) of the ternary kernel and the lane
// permutation of the MADDNESS encode become the x86
// intrinsics of their widths. They stay mmfree ops until after
// bufferization because llvm.call_intrinsic declares no memory effects,
// which buffer deallocation rejects.
//
//===----------------------------------------------------------------------===//

#include "mmfree/Codegen/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mmfree {
#define GEN_PASS_DEF_LOWERX86OPS
#include "mmfree/Codegen/Passes.h.inc"
} // namespace mmfree

using namespace mlir;
using namespace mmfree;

/// The intrinsic each op becomes, by its width.
static StringRef intrinsicName(X86ShuffleBytesOp op) {
  int64_t lanes = op.getType().getNumElements();
  return lanes == 64   ? "llvm.x86.avx512.pshuf.b.512"
         : lanes == 32 ? "llvm.x86.avx2.pshuf.b"
                       : "llvm.x86.ssse3.pshuf.b.128";
}

static StringRef intrinsicName(X86DotBytesOp op) {
  // The 256-bit form is AVX-VNNI's VEX vpdpbusd where the target lacks
  // AVX-512.
  return op.getType().getNumElements() == 16 ? "llvm.x86.avx512.vpdpbusd.512"
                                             : "llvm.x86.avx512.vpdpbusd.256";
}

static StringRef intrinsicName(X86MultiplyAddBytesOp) {
  return "llvm.x86.avx2.pmadd.ub.sw";
}

static StringRef intrinsicName(X86MultiplyAddWordsOp) {
  return "llvm.x86.avx2.pmadd.wd";
}

static StringRef intrinsicName(X86PermuteLanesOp) {
  return "llvm.x86.avx512.permvar.sf.512";
}

namespace {

/// gf2p8affineqb: its immediate becomes a constant operand (an immarg of
/// the intrinsic).
struct AffineBytesToIntrinsic : OpRewritePattern<X86AffineBytesOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(X86AffineBytesOp op,
                                PatternRewriter &rewriter) const override {
    int64_t lanes = op.getType().getNumElements();
    StringRef name = lanes == 64   ? "llvm.x86.vgf2p8affineqb.512"
                     : lanes == 32 ? "llvm.x86.vgf2p8affineqb.256"
                                   : "llvm.x86.vgf2p8affineqb.128";
    Value imm = LLVM::ConstantOp::create(rewriter, op.getLoc(),
                                         rewriter.getI8Type(), op.getImmAttr());
    rewriter.replaceOp(op, LLVM::CallIntrinsicOp::create(
                               rewriter, op.getLoc(), op.getType(),
                               rewriter.getStringAttr(name),
                               ValueRange{op.getInput(), op.getMatrix(), imm})
                               ->getResults());
    return success();
  }
};

/// Replaces `Op` by a call of its intrinsic on the same operands.
template <typename Op> struct ToIntrinsic : OpRewritePattern<Op> {
  using OpRewritePattern<Op>::OpRewritePattern;
  LogicalResult matchAndRewrite(Op op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, LLVM::CallIntrinsicOp::create(
                               rewriter, op.getLoc(), op.getType(),
                               rewriter.getStringAttr(intrinsicName(op)),
                               op->getOperands())
                               ->getResults());
    return success();
  }
};

struct LowerX86OpsPass : public mmfree::impl::LowerX86OpsBase<LowerX86OpsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ToIntrinsic<X86ShuffleBytesOp>, ToIntrinsic<X86DotBytesOp>,
                 ToIntrinsic<X86MultiplyAddBytesOp>,
                 ToIntrinsic<X86MultiplyAddWordsOp>,
                 ToIntrinsic<X86PermuteLanesOp>, AffineBytesToIntrinsic>(
        &getContext());
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace
