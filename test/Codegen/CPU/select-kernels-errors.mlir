// RUN: mmfree-opt %s -split-input-file -verify-diagnostics
// RUN: mmfree-opt %s -split-input-file --mmfree-select-kernels -verify-diagnostics
// RUN: echo "module {}" | not mmfree-opt --mmfree-select-kernels=target=x86-64,+avx9 2>&1 | FileCheck %s --check-prefix=FEATURE
// RUN: echo "module {}" | not mmfree-opt --mmfree-select-kernels=target=x86-64,avx2 2>&1 | FileCheck %s --check-prefix=SIGN
// RUN: echo "module {}" | not mmfree-opt --mmfree-select-kernels=threads=2000 2>&1 | FileCheck %s --check-prefix=THREADS

// FEATURE: error: mmfree-select-kernels: bad feature item '+avx9' in target 'x86-64,+avx9': expected l1d=size, l2=size, +name or -name, name one of: amx-int8, amx-tile, avx, avx2,
// SIGN: error: mmfree-select-kernels: bad feature item 'avx2'
// THREADS: error: mmfree-select-kernels: threads must be in [0, 1024], got 2000

func.func @kind_for_other_op(%c: tensor<100x4xi8>, %t: tensor<4x16x20xi8>)
    -> tensor<100x20xi16> {
  // expected-error @below {{cannot take kernel 'dots' (ternary_matmul: select, dots, lookup or tiles; lut_matmul: loads or shuffle)}}
  %a = mmfree.lut_matmul %c, %t {accumulation = #mmfree<lut_accumulation exact>,
      mmfree.kernel = #mmfree.kernel<dots, avx512>}
      : tensor<100x4xi8>, tensor<4x16x20xi8> -> tensor<100x20xi16>
  return %a : tensor<100x20xi16>
}

// -----

func.func @no_threads(%x: tensor<4x256xi8>, %w: tensor<12x4x16xi8>)
    -> tensor<4x12xi32> {
  %r = mmfree.ternary_matmul %x, %w
      // expected-error @below {{threads must be in [1, 1024], got 0}}
      {k = 256 : i64, mmfree.kernel = #mmfree.kernel<select, generic, threads = 0>}
      : tensor<4x256xi8>, tensor<12x4x16xi8> -> tensor<4x12xi32>
  return %r : tensor<4x12xi32>
}

// -----

func.func @dots_without_isa(%x: tensor<4x256xi8>, %w: tensor<12x4x16xi8>)
    -> tensor<4x12xi32> {
  %r = mmfree.ternary_matmul %x, %w
      // expected-error @below {{kernel 'dots' needs an x86 ISA (avx2, avxvnni or avx512)}}
      {k = 256 : i64, mmfree.kernel = #mmfree.kernel<dots, generic>}
      : tensor<4x256xi8>, tensor<12x4x16xi8> -> tensor<4x12xi32>
  return %r : tensor<4x12xi32>
}

// -----

// expected-error @below {{'mmfree.target' belongs on a module}}
func.func @target_on_func() attributes {mmfree.target = #mmfree.cpu_target<>} {
  return
}

// -----

// expected-error @below {{feature 'avx2' must be '+name' or '-name'}}
module attributes {mmfree.target = #mmfree.cpu_target<features = "avx2">} {}

// -----

// Cache sizes are 0 (not given) or plausible byte counts.
// expected-error @below {{l1d must be 0 (not given) or in [1024, 1073741824] bytes, got 100}}
module attributes {mmfree.target = #mmfree.cpu_target<arch = "x86_64", l1d = 100>} {}

// -----

// expected-error @below {{l2 must be 0 (not given) or in [1024, 1073741824] bytes, got -1}}
module attributes {mmfree.target = #mmfree.cpu_target<l2 = -1>} {}
