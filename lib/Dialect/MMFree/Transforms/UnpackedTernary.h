//===- UnpackedTernary.h - weights unpacked from 2-bit codes ---*- C++ -*-===//
//
// Recognizes weights that a model unpacks in its forward from a function
// argument of packed 2-bit codes, as transformers' BitNet `BitLinear` does:
// the unpacked tensor is a concatenation along the output channels of
// `S` slices, slice `s` computed elementwise from the same `rows x K` i8
// argument, then converted elementwise (uitofp, subtract 1, ...). Every
// elementwise step is evaluated on all 256 byte values, so the match does
// not depend on how the front end spells the bit extraction: it needs only
// that each slice's value is a function of one 2-bit field of the byte.
//
//===----------------------------------------------------------------------===//

#ifndef MMFREE_LIB_TRANSFORMS_UNPACKEDTERNARY_H
#define MMFREE_LIB_TRANSFORMS_UNPACKEDTERNARY_H

#include "mlir/IR/Value.h"

#include <array>
#include <string>

namespace mmfree {

/// W[s * rows + r][k] = values[(packed[r][k] >> shifts[s]) & 3].
struct UnpackedTernary {
  mlir::BlockArgument packed; // a function argument, rows x K of i8
  int64_t rows;
  llvm::SmallVector<int64_t> shifts; // one per slice, in {0, 2, 4, 6}
  std::array<float, 4> values;       // the weight each 2-bit code gives
};

/// How `weights` (N x K, f32) is computed from a packed argument, or failure
/// with the reason in `why`. Codes whose value is not -1, 0 or +1 are
/// allowed (transformers' layout gives code 3 the value 2): packed arguments
/// cannot hold them, which the packer checks.
mlir::FailureOr<UnpackedTernary> matchUnpackedTernary(mlir::Value weights,
                                                      std::string &why);

} // namespace mmfree

#endif // MMFREE_LIB_TRANSFORMS_UNPACKEDTERNARY_H
