//===- MMFreeOps.td - mmfree operations --------------------*- tablegen -*-===//

#ifndef MMFREE_OPS
#define MMFREE_OPS

include "mmfree/Dialect/MMFree/IR/MMFreeDialect.td"
include "mmfree/Dialect/MMFree/IR/MMFreeAttrs.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/TilingInterface.td"

def F32Tensor2D : 2DTensorOf<[F32]>;
def F32Tensor1D : 1DTensorOf<[F32]>;

// Tiling by upstream scf::tileUsingSCF / tile-and-fuse: the parallel
// dimensions of the result (and the reduction of lmul_matmul) are the loops;
// a tile is the same op on slices. ternary_matmul, dequantize and lut_matmul
// get it from one external model (attachTilingModels).
def MMFree_Tileable : DeclareOpInterfaceMethods<TilingInterface,
    ["getLoopIteratorTypes", "getIterationDomain", "getTiledImplementation",
     "getResultTilePosition", "generateResultTileValue"]>;
// Destinations for tiling ops without an init operand: tensor.empty of the
// reified result shape.
def MMFree_ReifiesShapes :
    DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface,
                              ["reifyResultShapes"]>;

def MMFree_QuantizeRowsOp : MMFree_Op<"quantize_rows", [Pure, MMFree_Tileable,
    MMFree_ReifiesShapes]> {
  let summary = "per-row absmax int8 quantization of activations";
  let description = [{
    For an M x K f32 tensor, computes per row
    `q[m] = 127 / max(max_k |x[m,k]|, 1e-5)` and
    `xq[m,k] = clamp(roundeven(x[m,k] * q[m]), -128, 127)`.

    ```mlir
    %xq, %q = mmfree.quantize_rows %x : tensor<4x64xf32> -> tensor<4x64xi8>, tensor<4xf32>
    ```
  }];
  let arguments = (ins F32Tensor2D:$input);
  let results = (outs 2DTensorOf<[I8]>:$quantized, F32Tensor1D:$scale);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($quantized) `,` type($scale)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def MMFree_TernaryMatmulOp : MMFree_Op<"ternary_matmul", [Pure, MMFree_ReifiesShapes]> {
  let summary = "add/sub contraction of activations with packed ternary weights";
  let description = [{
    `acc[m,n] = sum_k x[m,k] * Wt[n,k]` where `Wt` is in {-1, 0, +1}, computed
    with adds and subtracts only. `x` is M x K of i8 (quantized activations)
    or f32. `weights` is N x ceil(K/64) x 16 of i8: 2 bits per weight in
    blocks of 64 weights; byte `b` of block `t` holds weight `64t + 16j + b`
    in bits `[2j, 2j+2)`, code 0b01 = +1, 0b10 = -1, 0b00 = 0 (0b11 is
    invalid, weights past K are 0). `k` is the logical reduction size.

    With i8 activations the result is an integer accumulator (i16, i32 or
    i64) that must be wide enough to hold K * 128 exactly; with f32
    activations the result is f32.

    ```mlir
    %acc = mmfree.ternary_matmul %xq, %w {k = 100 : i64}
        : tensor<4x100xi8>, tensor<32x2x16xi8> -> tensor<4x32xi32>
    ```
  }];
  let arguments = (ins 2DTensorOf<[I8, F32]>:$input,
                       3DTensorOf<[I8]>:$weights,
                       ConfinedAttr<I64Attr, [IntPositive]>:$k);
  let results = (outs 2DTensorOf<[I16, I32, I64, F32]>:$result);
  let assemblyFormat = [{
    $input `,` $weights attr-dict `:` type($input) `,` type($weights)
    `->` type($result)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def MMFree_DequantizeOp : MMFree_Op<"dequantize", [Pure, MMFree_ReifiesShapes]> {
  let summary = "rescale ternary accumulators to f32";
  let description = [{
    `y[m,n] = float(acc[m,n]) * weight_scale[n] / row_scale[m]`, evaluated
    left to right in f32. `weight_scale` has one element (per-tensor) or N
    (per-channel). Without `row_scale` (float activations) the division is
    omitted.

    ```mlir
    %y = mmfree.dequantize %acc, %ws, %q
        : (tensor<4x32xi32>, tensor<1xf32>, tensor<4xf32>) -> tensor<4x32xf32>
    ```
  }];
  let arguments = (ins 2DTensorOf<[I16, I32, I64, F32]>:$acc,
                       F32Tensor1D:$weight_scale,
                       Optional<F32Tensor1D>:$row_scale);
  let results = (outs F32Tensor2D:$result);
  let assemblyFormat = [{
    $acc `,` $weight_scale (`,` $row_scale^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// L-Mul
//===----------------------------------------------------------------------===//

def MMFree_LMulFloat : AnyTypeOf<[F32, BF16, F16, F8E4M3FN, F8E5M2],
    "f32, bf16, f16, f8E4M3FN or f8E5M2">;

// Unranked tensors are not accepted: the lowering needs the rank to build
// its elementwise loop.
def MMFree_LMulOperand : AnyTypeOf<[MMFree_LMulFloat,
    VectorOfAnyRankOf<[MMFree_LMulFloat]>, RankedTensorOf<[MMFree_LMulFloat]>],
    "L-Mul float, or a vector or ranked tensor of them">;

def MMFree_LMulOp : MMFree_Op<"lmul", [Pure, SameOperandsAndResultType,
    ElementwiseMappable]> {
  let summary = "L-Mul: a float product approximated by one integer addition";
  let description = [{
    For finite normal nonzero operands truncated to `mantissa_bits` = k
    mantissa bits: `bits = |X| + |Y| - (B << m) + (1 << (m - l(k)))`,
    sign = sx xor sy, with l(k) = k for k <= 3, 3 for k = 4, 4 for k > 4; a
    mantissa carry moves into the exponent. Zero or subnormal operands give a
    signed zero, NaN gives NaN, inf times nonzero inf, inf times zero NaN;
    exponent overflow gives inf (the largest finite value for f8E4M3FN) and
    underflow a signed zero. Works on scalars, vectors and ranked tensors.

    ```mlir
    %p = mmfree.lmul %x, %y {mantissa_bits = 3 : i64} : vector<8xbf16>
    ```
  }];
  let arguments = (ins MMFree_LMulOperand:$lhs, MMFree_LMulOperand:$rhs,
                       ConfinedAttr<I64Attr, [IntPositive]>:$mantissa_bits);
  let results = (outs MMFree_LMulOperand:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def MMFree_LMulMatmulOp : MMFree_Op<"lmul_matmul", [Pure, MMFree_Tileable,
    DestinationStyleOpInterface]> {
  let summary = "matmul whose products are L-Mul and whose sums are f32 adds";
  let description = [{
    `result[m,n] = init[m,n] + sum_k lmul(lhs[m,k], rhs[k,n])`, the products
    converted exactly to f32 and added in f32 in increasing k. With
    `transpose_rhs`, `rhs` is N x K (an nn.Linear weight) and read as its
    transpose.

    ```mlir
    %c = mmfree.lmul_matmul %a, %b, %init {mantissa_bits = 7 : i64}
        : tensor<4x64xbf16>, tensor<64x32xbf16>, tensor<4x32xf32> -> tensor<4x32xf32>
    ```
  }];
  let arguments = (ins 2DTensorOf<[MMFree_LMulFloat]>:$lhs,
                       2DTensorOf<[MMFree_LMulFloat]>:$rhs,
                       F32Tensor2D:$init,
                       ConfinedAttr<I64Attr, [IntPositive]>:$mantissa_bits,
                       UnitAttr:$transpose_rhs);
  let results = (outs F32Tensor2D:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs `,` $init attr-dict `:` type($lhs) `,` type($rhs) `,`
    type($init) `->` type($result)
  }];
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() {
      return getInitMutable();
    }
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// MADDNESS lookup tables
//===----------------------------------------------------------------------===//

def MMFree_LutAccumulation : I32EnumAttr<"LutAccumulation",
    "how table entries are combined", [
      I32EnumAttrCase<"Exact", 0, "exact">,
      I32EnumAttrCase<"Average", 1, "average">]> {
  let cppNamespace = "::mmfree";
  let genSpecializedAttr = 0;
}
def MMFree_LutAccumulationAttr : EnumAttr<MMFree_Dialect,
    MMFree_LutAccumulation, "lut_accumulation">;

def MMFree_LutEncodeOp : MMFree_Op<"lut_encode", [Pure, MMFree_Tileable,
    MMFree_ReifiesShapes]> {
  let summary = "hash rows into 4-bit codes with learned balanced trees";
  let description = [{
    For each row of `input` (N x D) and codebook c, walks the depth-4 tree
    of c: `code = 2 * code + (x[dims[c, t]] > thresholds[c, 2^t - 1 + code])`
    for levels t = 0..3, giving codes in [0, 16) as i8 (N x C).
    `thresholds` holds each tree's 15 node thresholds in heap order. With
    `transpose_input`, `input` is D x N (each column of the rows stored
    contiguously, as BLAS column-major A) and read as its transpose: the
    split columns are then contiguous rows.

    ```mlir
    %codes = mmfree.lut_encode %x, %dims, %thr
        : tensor<?x64xf32>, tensor<8x4xi32>, tensor<8x15xf32> -> tensor<?x8xi8>
    ```
  }];
  let arguments = (ins F32Tensor2D:$input, 2DTensorOf<[I32]>:$dims,
                       F32Tensor2D:$thresholds, UnitAttr:$transpose_input);
  let results = (outs 2DTensorOf<[I8]>:$codes);
  let assemblyFormat = [{
    $input `,` $dims `,` $thresholds attr-dict `:` type($input) `,`
    type($dims) `,` type($thresholds) `->` type($codes)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def MMFree_LutMatmulOp : MMFree_Op<"lut_matmul", [Pure, MMFree_ReifiesShapes]> {
  let summary = "sum of table entries selected by 4-bit codes";
  let description = [{
    `tables` (C x 16 x M, unsigned bytes) holds per codebook and code the
    quantized products with every output column. With `exact`
    accumulation, `result[i, m] = sum_c tables[c, codes[i, c], m]` as an
    unsigned 16-bit integer (exact for C <= 257). With `average`, the C
    entries are averaged pairwise with rounding up, `(a + b + 1) >> 1`, in a
    binary tree over C padded with zeros to a power of two (as vpavgb does),
    giving an unsigned byte. Codes must be in [0, 16).

    ```mlir
    %s = mmfree.lut_matmul %codes, %tables {accumulation = #mmfree<lut_accumulation exact>}
        : tensor<?x8xi8>, tensor<8x16x10xi8> -> tensor<?x10xi16>
    ```
  }];
  let arguments = (ins 2DTensorOf<[I8]>:$codes, 3DTensorOf<[I8]>:$tables,
                       MMFree_LutAccumulationAttr:$accumulation);
  let results = (outs 2DTensorOf<[I8, I16]>:$result);
  let assemblyFormat = [{
    $codes `,` $tables attr-dict `:` type($codes) `,` type($tables) `->`
    type($result)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// x86 ops: the instructions the X86 kernels need that the vector dialect has
// no portable form for; named for their target, lowered to LLVM's x86
// intrinsics by mmfree-lower-x86-ops (lib/Codegen/CPU/X86).
//===----------------------------------------------------------------------===//

def MMFree_ByteVector : VectorOfLengthAndType<[16, 32, 64], [I8]>;

def MMFree_X86ShuffleBytesOp : MMFree_Op<"x86_shuffle_bytes", [Pure,
    AllTypesMatch<["table", "indices", "result"]>]> {
  let summary = "16-entry byte lookup in every 128-bit lane (x86 pshufb)";
  let description = [{
    `result[i] = indices[i] & 0x80 ? 0 : table[16 * (i / 16) + (indices[i] & 15)]`
    on 16, 32 or 64 bytes. `mmfree-lower-to-vector` emits it for MADDNESS
    lookups only when the target has the instruction (SSSE3, AVX2,
    AVX-512BW); `mmfree-lower-x86-ops` turns it into the LLVM x86
    intrinsic after bufferization.

    ```mlir
    %v = mmfree.x86_shuffle_bytes %table, %codes : vector<32xi8>
    ```
  }];
  let arguments = (ins MMFree_ByteVector:$table, MMFree_ByteVector:$indices);
  let results = (outs MMFree_ByteVector:$result);
  let assemblyFormat = "$table `,` $indices attr-dict `:` type($result)";
}

def MMFree_X86AffineBytesOp : MMFree_Op<"x86_affine_bytes", [Pure,
    AllTypesMatch<["input", "matrix", "result"]>]> {
  let summary = "an affine map of each byte's bits over GF(2) (gf2p8affineqb)";
  let description = [{
    `result[i].bit[b] = parity(matrix.qword[i / 8].byte[7 - b] & input[i])
    ^ imm.bit[b]` on 16, 32 or 64 bytes (GFNI): each qword of `matrix` is the
    8 x 8 bit matrix of its 8 bytes. The ternary dots kernel decodes slice
    j of runtime 2-bit codes c = (c1, c0) into w + 1 = (c0, 1 ^ c0 ^ c1)
    with it: one instruction instead of a shift, a mask and a byte shuffle.
    `mmfree-lower-x86-ops` turns it into the intrinsic.

    ```mlir
    %w = mmfree.x86_affine_bytes %codes, %matrix, 1 : vector<64xi8>
    ```
  }];
  let arguments = (ins MMFree_ByteVector:$input, MMFree_ByteVector:$matrix,
                       I8Attr:$imm);
  let results = (outs MMFree_ByteVector:$result);
  let assemblyFormat = "$input `,` $matrix `,` $imm attr-dict `:` type($result)";
}

def MMFree_X86PermuteLanesOp : MMFree_Op<"x86_permute_lanes", [Pure,
    AllTypesMatch<["table", "result"]>]> {
  let summary = "f32 lanes picked by runtime indices (x86 vpermps)";
  let description = [{
    `result[i] = table[indices[i] & 15]` on 16 f32 lanes. The fused MADDNESS
    encode picks each row's node threshold of a tree level with it where the
    target has AVX-512 (one instruction instead of a tree of selects);
    `mmfree-lower-x86-ops` turns it into the intrinsic.

    ```mlir
    %t = mmfree.x86_permute_lanes %thresholds, %nodes : vector<16xf32>, vector<16xi32>
    ```
  }];
  let arguments = (ins VectorOfLengthAndType<[16], [F32]>:$table,
                       VectorOfLengthAndType<[16], [I32]>:$indices);
  let results = (outs VectorOfLengthAndType<[16], [F32]>:$result);
  let assemblyFormat = "$table `,` $indices attr-dict `:` type($table) `,` type($indices)";
}

def MMFree_X86DotBytesOp : MMFree_Op<"x86_dot_bytes", [Pure,
    AllTypesMatch<["acc", "result"]>, AllTypesMatch<["lhs", "rhs"]>]> {
  let summary = "unsigned x signed byte dot products into i32 lanes (vpdpbusd)";
  let description = [{
    `result[i] = acc[i] + sum_{j<4} zext(lhs[4i+j]) * sext(rhs[4i+j])` on 16
    i32 lanes and 64 bytes (AVX-512 VNNI) or 8 lanes and 32 bytes (AVX-VNNI),
    wrapping. The ternary CPU kernel emits it with the weights as bytes
    w + 1 in {0, 1, 2} (times 4^j when decoded in place) as `lhs`;
    `mmfree-lower-x86-ops` turns it into the intrinsic.

    ```mlir
    %s = mmfree.x86_dot_bytes %acc, %mask, %x : vector<16xi32>, vector<64xi8>
    ```
  }];
  let arguments = (ins VectorOfLengthAndType<[16, 8], [I32]>:$acc,
                       VectorOfLengthAndType<[64, 32], [I8]>:$lhs,
                       VectorOfLengthAndType<[64, 32], [I8]>:$rhs);
  let results = (outs VectorOfLengthAndType<[16, 8], [I32]>:$result);
  let hasVerifier = 1;
  let assemblyFormat = "$acc `,` $lhs `,` $rhs attr-dict `:` type($acc) `,` type($lhs)";
}

def MMFree_X86MultiplyAddBytesOp : MMFree_Op<"x86_multiply_add_bytes", [Pure,
    AllTypesMatch<["lhs", "rhs"]>]> {
  let summary = "unsigned x signed byte pairs into i16 lanes (vpmaddubsw)";
  let description = [{
    `result[i] = sat16(zext(lhs[2i]) * sext(rhs[2i]) + zext(lhs[2i+1]) *
    sext(rhs[2i+1]))` on 32 bytes (AVX2). The ternary dots kernel on AVX2
    without VNNI emits it with the weights as bytes w + 1 in {0, 1, 2} as
    `lhs`, where a pair is at most 512 in magnitude and never saturates;
    `mmfree-lower-x86-ops` turns it into the intrinsic.

    ```mlir
    %p = mmfree.x86_multiply_add_bytes %w, %x : vector<32xi8> -> vector<16xi16>
    ```
  }];
  let arguments = (ins VectorOfLengthAndType<[32], [I8]>:$lhs,
                       VectorOfLengthAndType<[32], [I8]>:$rhs);
  let results = (outs VectorOfLengthAndType<[16], [I16]>:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `->` type($result)";
}

def MMFree_X86MultiplyAddWordsOp : MMFree_Op<"x86_multiply_add_words", [Pure,
    AllTypesMatch<["lhs", "rhs"]>]> {
  let summary = "signed i16 pairs into i32 lanes (vpmaddwd)";
  let description = [{
    `result[i] = sext(lhs[2i]) * sext(rhs[2i]) + sext(lhs[2i+1]) *
    sext(rhs[2i+1])` on 16 i16 lanes (AVX2), wrapping. With `rhs` all ones
    it widens the byte-pair sums of `mmfree.x86_multiply_add_bytes` into
    i32 lanes.

    ```mlir
    %s = mmfree.x86_multiply_add_words %p, %ones : vector<16xi16> -> vector<8xi32>
    ```
  }];
  let arguments = (ins VectorOfLengthAndType<[16], [I16]>:$lhs,
                       VectorOfLengthAndType<[16], [I16]>:$rhs);
  let results = (outs VectorOfLengthAndType<[8], [I32]>:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `->` type($result)";
}

#endif // MMFREE_OPS
