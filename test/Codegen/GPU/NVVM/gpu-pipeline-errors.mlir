// Bad options of mmfree-gpu-pipeline are errors with a message.
// RUN: not mmfree-opt %s --mmfree-gpu-pipeline="chip=sm_999" 2>&1 | FileCheck %s --check-prefix=CHIP
// CHIP: error: unknown GPU chip 'sm_999'; expected one of sm_75, sm_80
// RUN: not mmfree-opt %s --mmfree-gpu-pipeline="chip=sm_80 format=fatbin" 2>&1 | FileCheck %s --check-prefix=FORMAT
// FORMAT: error: unknown GPU output format 'fatbin'; expected 'isa' (PTX text) or 'bin' (cubin)
// RUN: not mmfree-opt %s --mmfree-gpu-pipeline="chip=sm_80 format=bin toolkit=%t-no-cuda" 2>&1 | FileCheck %s --check-prefix=PTXAS
// PTXAS: error: format=bin needs ptxas, which was not found in {{.*}}-no-cuda/bin; install the CUDA toolkit
// Option values reach the passes as they are (the pipeline is built in C++,
// not pasted into pass text): a path with a space.
// RUN: not mmfree-opt %s --mmfree-gpu-pipeline="format=bin toolkit='%t my cuda'" 2>&1 | FileCheck %s --check-prefix=SPACE
// SPACE: error: format=bin needs ptxas, which was not found in {{.*}} my cuda/bin
// A shape the kernels cannot tile:
// RUN: not mmfree-opt %s --mmfree-gpu-pipeline="chip=sm_90" 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: error: cannot map to the GPU: dynamic sizes cannot be mapped

func.func @dynamic(%x: tensor<?x64xi8>, %w: tensor<8x1x16xi8>) -> tensor<?x8xi32> {
  %acc = mmfree.ternary_matmul %x, %w {k = 64 : i64}
      : tensor<?x64xi8>, tensor<8x1x16xi8> -> tensor<?x8xi32>
  return %acc : tensor<?x8xi32>
}

// No error on the module prints the whole module as a note.
// RUN: not mmfree-opt %s --mmfree-gpu-pipeline="chip=sm_1" 2>&1 | FileCheck %s --check-prefix=NONOTE
// NONOTE: error: unknown GPU chip 'sm_1'
// NONOTE-NOT: see current operation
