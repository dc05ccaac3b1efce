//===- MMFreeDialect.td - mmfree dialect definition --------*- tablegen -*-===//

#ifndef MMFREE_DIALECT
#define MMFREE_DIALECT

include "mlir/IR/OpBase.td"

def MMFree_Dialect : Dialect {
  let name = "mmfree";
  let summary = "Multiplication-free replacements for matrix multiplication";
  let description = [{
    Ops that express matrix products without multiplies: ternary add/sub
    contractions over packed {-1, 0, +1} weights (BitNet b1.58), with the
    activation quantization and rescaling around them. The reference semantics
    of every op live in `lib/Numerics`; every lowering must match them.
  }];
  let cppNamespace = "::mmfree";
  let useDefaultAttributePrinterParser = 1;
  // mmfree.target on modules, mmfree.kernel on contractions.
  let hasOperationAttrVerify = 1;
  // mmfree.packed_ternary on function arguments.
  let hasRegionArgAttrVerify = 1;
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
}

class MMFree_Op<string mnemonic, list<Trait> traits = []>
    : Op<MMFree_Dialect, mnemonic, traits>;

#endif // MMFREE_DIALECT
