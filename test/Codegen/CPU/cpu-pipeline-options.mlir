// Hostile option values of mmfree-cpu-pipeline end in one-line errors: the
// pipeline is built in C++ (values are never pasted into pass text) and
// every value is range-checked where it is parsed.
// RUN: not mmfree-opt %s --mmfree-cpu-pipeline=threads=288230376151711744 2>&1 | FileCheck %s --check-prefix=BIG
// BIG: error: mmfree-select-kernels: threads must be in [0, 1024], got 288230376151711744
// RUN: not mmfree-opt %s --mmfree-cpu-pipeline=threads=9223372036854775807 2>&1 | FileCheck %s --check-prefix=MAX
// MAX: error: mmfree-select-kernels: threads must be in [0, 1024], got 9223372036854775807
// RUN: not mmfree-opt %s --mmfree-cpu-pipeline=threads=99999999999999999999 2>&1 | FileCheck %s --check-prefix=OVERFLOW
// OVERFLOW: for the --threads option: '99999999999999999999' value invalid
// A value with a space and '=' is one value, not more options.
// RUN: not mmfree-opt %s --mmfree-cpu-pipeline="target='x86-64 threads=4'" 2>&1 | FileCheck %s --check-prefix=SPACE
// SPACE: error: mmfree-select-kernels: unknown target 'x86-64 threads=4'
// RUN: not mmfree-opt %s --mmfree-cpu-pipeline="ternary-kernel=bogus" 2>&1 | FileCheck %s --check-prefix=ENUM
// ENUM: for the --ternary-kernel option: Cannot find option named 'bogus'!
// RUN: not mmfree-opt %s --mmfree-cpu-pipeline="lut-kernel=" 2>&1 | FileCheck %s --check-prefix=EMPTY
// EMPTY: for the --lut-kernel option: Cannot find option named ''!
// No error prints the whole module as a note.
// RUN: not mmfree-opt %s --mmfree-cpu-pipeline=target=bogus 2>&1 | FileCheck %s --check-prefix=NONOTE
// NONOTE: error: mmfree-select-kernels: unknown target 'bogus'
// NONOTE-NOT: see current operation

func.func @f(%x: tensor<4x64xi8>, %w: tensor<8x1x16xi8>) -> tensor<4x8xi32> {
  %r = mmfree.ternary_matmul %x, %w {k = 64} : tensor<4x64xi8>, tensor<8x1x16xi8> -> tensor<4x8xi32>
  return %r : tensor<4x8xi32>
}
