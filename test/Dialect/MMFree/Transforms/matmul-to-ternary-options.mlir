// Unknown option values are refused with a message and a non-zero exit.
// RUN: not mmfree-opt %s --mmfree-matmul-to-ternary=activations=int4 2>&1 | FileCheck %s --check-prefix=ACT
// ACT: for the --activations option: Cannot find option named 'int4'!
// RUN: not mmfree-opt %s --mmfree-matmul-to-ternary=scale=per-row 2>&1 | FileCheck %s --check-prefix=SCALE
// SCALE: for the --scale option: Cannot find option named 'per-row'!

func.func @f() {
  return
}
