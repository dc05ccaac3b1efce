//===- MMFreeAttrs.td - mmfree target and kernel attributes -*- tablegen -*-===//
//
// Kernel selection as data: the CPU a module is compiled for
// (`mmfree.target` on the module) and the kernel chosen for each contraction
// (`mmfree.kernel` on the op). mmfree-select-kernels writes both;
// mmfree-lower-to-vector obeys them. No pass reads the host's CPU unless a
// tool asks for `target=host`.
//
//===----------------------------------------------------------------------===//

#ifndef MMFREE_ATTRS
#define MMFREE_ATTRS

include "mmfree/Dialect/MMFree/IR/MMFreeDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def MMFree_KernelKind : I32EnumAttr<"KernelKind",
    "the CPU kernel of a contraction", [
      // ternary_matmul: f32 or i8 activations added, subtracted or skipped
      // through select masks (any vector ISA).
      I32EnumAttrCase<"Select", 0, "select">,
      // ternary_matmul with i8 activations: VNNI byte dot products of the
      // weights decoded to {0, 1, 2}.
      I32EnumAttrCase<"Dots", 1, "dots">,
      // ternary_matmul with i8 activations and constant weights: T-MAC-style
      // bit-plane tables looked up with byte shuffles.
      I32EnumAttrCase<"Lookup", 2, "lookup">,
      // lut_matmul: table rows loaded per code, outputs in lanes.
      I32EnumAttrCase<"Loads", 3, "loads">,
      // lut_matmul with at most 32 outputs: rows in lanes, one byte shuffle
      // per output and codebook.
      I32EnumAttrCase<"Shuffle", 4, "shuffle">,
      // ternary_matmul with i8 activations, M a multiple of 32: AMX tile
      // products of 16-row activation tiles with weight tiles decoded to
      // {-1, 0, 1} per 16-channel panel.
      I32EnumAttrCase<"Tiles", 5, "tiles">]> {
  let cppNamespace = "::mmfree";
  let genSpecializedAttr = 0;
}

def MMFree_KernelIsa : I32EnumAttr<"KernelIsa",
    "the instruction set a kernel is built for", [
      // Portable vector code (no target intrinsics).
      I32EnumAttrCase<"Generic", 0, "generic">,
      // 256-bit vectors: AVX2 byte shuffles; dots from byte-pair multiply-adds
      // (vpmaddubsw, then vpmaddwd into i32).
      I32EnumAttrCase<"Avx2", 1, "avx2">,
      // 512-bit vectors: AVX-512BW byte shuffles and permutes, AVX-512 VNNI
      // dots.
      I32EnumAttrCase<"Avx512", 2, "avx512">,
      // 256-bit vectors with AVX-VNNI's dots (VEX vpdpbusd).
      I32EnumAttrCase<"AvxVnni", 3, "avxvnni">,
      // AMX int8 tiles (amx-tile, amx-int8) with AVX-512 around them.
      I32EnumAttrCase<"Amx", 4, "amx">]> {
  let cppNamespace = "::mmfree";
  let genSpecializedAttr = 0;
}

def MMFree_KernelAttr : AttrDef<MMFree_Dialect, "Kernel"> {
  let mnemonic = "kernel";
  let summary = "the CPU kernel chosen for one contraction";
  let description = [{
    Set as `mmfree.kernel` on a `mmfree.ternary_matmul` or
    `mmfree.lut_matmul` by `mmfree-select-kernels` (or by hand, to force a
    kernel), and obeyed by `mmfree-lower-to-vector`. `threads` splits the
    kernel's output channels (ternary) or row blocks (lut) over an
    `scf.parallel`.

    ```mlir
    %r = mmfree.ternary_matmul %x, %w {k = 4096 : i64,
        mmfree.kernel = #mmfree.kernel<dots, avx512, threads = 2>} : ...
    ```
  }];
  let parameters = (ins
    EnumParameter<MMFree_KernelKind>:$kind,
    EnumParameter<MMFree_KernelIsa>:$isa,
    DefaultValuedParameter<"int64_t", "1">:$threads);
  let assemblyFormat = "`<` $kind `,` $isa (`,` `threads` `=` $threads^)? `>`";
  let genVerifyDecl = 1;
}

def MMFree_CpuTargetAttr : AttrDef<MMFree_Dialect, "CpuTarget"> {
  let mnemonic = "cpu_target";
  let summary = "the CPU a module is compiled for";
  let description = [{
    Set as `mmfree.target` on the module by `mmfree-select-kernels` from its
    `target` option (a preset such as `x86-64-v3`, `x86-64-v4`, `generic`
    or `host`, then `+feature` / `-feature` items, LLVM's feature names, and
    cache sizes).
    `features` is LLVM's target-feature string, sorted; the vector width is
    derived from it (512 bits with `avx512f`, 256 with `avx2`, else 128).
    `threads` is the thread count the kernels may split their work over.
    `l1d` and `l2` are the data cache sizes in bytes of one core (`l1d=48K`
    / `l2=2M` items of the spec; `host` reads them from the machine); 0, the
    default, stands for the cost model's 32 KiB and 1 MiB. They size the
    blocks that must stay in a cache: L-Mul's K blocks (a block of B tables
    in half the L1) and MADDNESS's pair tables (at most half the L2).

    ```mlir
    module attributes {mmfree.target = #mmfree.cpu_target<arch = "x86_64",
        features = "+avx2,+avx512bw,+avx512f,+avx512vnni", threads = 2,
        l1d = 49152, l2 = 2097152>} {}
    ```
  }];
  let parameters = (ins
    StringRefParameter<"architecture", "\"\"">:$arch,
    StringRefParameter<"LLVM target features", "\"\"">:$features,
    DefaultValuedParameter<"int64_t", "1">:$threads,
    DefaultValuedParameter<"int64_t", "0">:$l1d,
    DefaultValuedParameter<"int64_t", "0">:$l2);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Whether `features` enables `name` (without the '+').
    bool hasFeature(::llvm::StringRef name) const;
    /// The widest vector in bits: 512 with avx512f, 256 with avx2, else 128.
    int64_t getVectorBits() const;
    /// The L1 data cache of one core in bytes (32 KiB when not given).
    int64_t getL1dBytes() const;
    /// The L2 cache of one core in bytes (1 MiB when not given).
    int64_t getL2Bytes() const;
  }];
}

def MMFree_PackedTernaryAttr : AttrDef<MMFree_Dialect, "PackedTernary"> {
  let mnemonic = "packed_ternary";
  let summary = "a function argument of weights packed for ternary_matmul";
  let description = [{
    Set as `mmfree.packed_ternary` on a function argument by
    `mmfree-matmul-to-ternary{packed-arguments}` when it replaces an i8
    argument of 2-bit codes that the function unpacked itself (as
    transformers' BitNet `BitLinear` does). The argument now holds, in
    `ternary_matmul`'s layout, the N x K weights (N = `rows` x the number of
    `shifts`) that the original function computed from its `rows x K`
    argument `p`:

    `W[s * rows + r][k] = values[(p[r][k] >> shifts[s]) & 3]`

    Callers pack `p` once, at load time (`numerics::packTernaryFields`,
    Python `mmfree.packing`); a code whose value is not -1, 0 or +1
    (transformers gives code 3 the value 2) cannot be packed.

    ```mlir
    func.func @forward(%x: tensor<2x64xf32>, %w: tensor<32x1x16xi8>
        {mmfree.packed_ternary = #mmfree.packed_ternary<rows = 8,
         shifts = array<i64: 0, 2, 4, 6>,
         values = array<f32: -1.0, 0.0, 1.0, 2.0>>}) -> tensor<2x32xf32>
    ```
  }];
  let parameters = (ins "int64_t":$rows,
                        "::mlir::DenseI64ArrayAttr":$shifts,
                        "::mlir::DenseF32ArrayAttr":$values);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

#endif // MMFREE_ATTRS
