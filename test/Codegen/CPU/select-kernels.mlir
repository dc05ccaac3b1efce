// RUN: mmfree-opt %s -split-input-file --mmfree-select-kernels -verify-diagnostics | FileCheck %s --check-prefix=GENERIC
// RUN: mmfree-opt %s -split-input-file --mmfree-select-kernels=target=x86-64-v3 -verify-diagnostics | FileCheck %s --check-prefix=V3
// RUN: mmfree-opt %s -split-input-file --mmfree-select-kernels="target=x86-64-v4 threads=2" -verify-diagnostics | FileCheck %s --check-prefix=V4
// RUN: mmfree-opt %s -split-input-file --mmfree-select-kernels=target=x86-64-v4,+avx512vnni -verify-diagnostics | FileCheck %s --check-prefix=VNNI
// RUN: mmfree-opt %s -split-input-file --mmfree-select-kernels=target=x86-64-v3,+avxvnni -verify-diagnostics | FileCheck %s --check-prefix=AVXVNNI
// RUN: mmfree-opt %s -split-input-file --mmfree-select-kernels="target=x86-64-v4 ternary-kernel=lookup" 2>&1 >/dev/null | FileCheck %s --check-prefix=FORCED
// RUN: mmfree-opt %s -split-input-file --mmfree-select-kernels="target=x86-64-v4,+avx512vnni ternary-kernel=lookup lut-kernel=loads" | FileCheck %s --check-prefix=FORCED-OK

// A forced kind is taken where it applies, with a remark where it does not.
// FORCED: remark: kernel 'lookup' not taken: lookups need constant weights
// FORCED: remark: kernel 'lookup' not taken: lookups need i8 activations
// FORCED-OK-LABEL: func @ternary_i8
// FORCED-OK: mmfree.kernel = #mmfree.kernel<lookup, avx512>
// FORCED-OK-LABEL: func @lut
// FORCED-OK: mmfree.kernel = #mmfree.kernel<loads, avx512>
// FORCED-OK: mmfree.kernel = #mmfree.kernel<loads, avx512>

// The target and each choice are attributes; the output depends on the
// target named, never on the machine running the compiler.

// GENERIC: module attributes {mmfree.target = #mmfree.cpu_target<>}
// V3: module attributes {mmfree.target = #mmfree.cpu_target<arch = "x86_64", features = "+avx,+avx2,+bmi,+bmi2,+f16c,+fma,+lzcnt,+movbe,+popcnt,+sse4.2,+ssse3">}
// V4: module attributes {mmfree.target = #mmfree.cpu_target<arch = "x86_64", features = "+avx,+avx2,+avx512bw,+avx512cd,+avx512dq,+avx512f,+avx512vl,+bmi,+bmi2,+f16c,+fma,+lzcnt,+movbe,+popcnt,+sse4.2,+ssse3", threads = 2>}
// VNNI: features = "{{.*}}+avx512vnni
// AVXVNNI: features = "{{.*}}+avxvnni

// i8 activations, constant weights, N = 128.
// GENERIC-LABEL: func @ternary_i8
// GENERIC: mmfree.kernel = #mmfree.kernel<select, generic>
// V3-LABEL: func @ternary_i8
// V3: mmfree.kernel = #mmfree.kernel<dots, avx2>
// V4-LABEL: func @ternary_i8
// V4: mmfree.kernel = #mmfree.kernel<dots, avx2, threads = 2>
// VNNI-LABEL: func @ternary_i8
// VNNI: mmfree.kernel = #mmfree.kernel<dots, avx512>
// AVXVNNI-LABEL: func @ternary_i8
// AVXVNNI: mmfree.kernel = #mmfree.kernel<dots, avxvnni>
func.func @ternary_i8(%x: tensor<4x256xi8>) -> tensor<4x128xi32> {
  %w = arith.constant dense<0> : tensor<128x4x16xi8>
  %r = mmfree.ternary_matmul %x, %w {k = 256 : i64}
      : tensor<4x256xi8>, tensor<128x4x16xi8> -> tensor<4x128xi32>
  return %r : tensor<4x128xi32>
}

// Runtime weights: no lookups (their tables are built from constants), so
// AVX2's byte-pair dots; N = 12 is no multiple of 8 channels x 2 threads:
// one thread.
// V3-LABEL: func @runtime_weights
// V3: mmfree.kernel = #mmfree.kernel<dots, avx2>}
// V4-LABEL: func @runtime_weights
// V4: mmfree.kernel = #mmfree.kernel<dots, avx2>}
// VNNI-LABEL: func @runtime_weights
// VNNI: mmfree.kernel = #mmfree.kernel<dots, avx512>}
func.func @runtime_weights(%x: tensor<4x256xi8>, %w: tensor<12x4x16xi8>)
    -> tensor<4x12xi32> {
  %r = mmfree.ternary_matmul %x, %w {k = 256 : i64}
      : tensor<4x256xi8>, tensor<12x4x16xi8> -> tensor<4x12xi32>
  return %r : tensor<4x12xi32>
}

// f32 activations: only the select kernel adds floats.
// VNNI-LABEL: func @ternary_f32
// VNNI: mmfree.kernel = #mmfree.kernel<select, generic>
func.func @ternary_f32(%x: tensor<4x256xf32>) -> tensor<4x128xf32> {
  %w = arith.constant dense<0> : tensor<128x4x16xi8>
  %r = mmfree.ternary_matmul %x, %w {k = 256 : i64}
      : tensor<4x256xf32>, tensor<128x4x16xi8> -> tensor<4x128xf32>
  return %r : tensor<4x128xf32>
}

// MADDNESS: byte shuffles up to 32 outputs, table loads beyond (64 output
// lanes with AVX-512BW).
// GENERIC-LABEL: func @lut
// GENERIC: mmfree.kernel = #mmfree.kernel<loads, generic>
// GENERIC: mmfree.kernel = #mmfree.kernel<loads, generic>
// V3-LABEL: func @lut
// V3: mmfree.kernel = #mmfree.kernel<shuffle, avx2>
// V3: mmfree.kernel = #mmfree.kernel<loads, generic>
// V4-LABEL: func @lut
// V4: mmfree.kernel = #mmfree.kernel<shuffle, avx512, threads = 2>
// V4: mmfree.kernel = #mmfree.kernel<loads, avx512, threads = 2>
func.func @lut(%c: tensor<100x4xi8>, %few: tensor<4x16x20xi8>,
               %many: tensor<4x16x40xi8>) -> (tensor<100x20xi16>, tensor<100x40xi16>) {
  %a = mmfree.lut_matmul %c, %few {accumulation = #mmfree<lut_accumulation exact>}
      : tensor<100x4xi8>, tensor<4x16x20xi8> -> tensor<100x20xi16>
  %b = mmfree.lut_matmul %c, %many {accumulation = #mmfree<lut_accumulation exact>}
      : tensor<100x4xi8>, tensor<4x16x40xi8> -> tensor<100x40xi16>
  return %a, %b : tensor<100x20xi16>, tensor<100x40xi16>
}

// A kernel already on an op is kept: forcing a kernel is setting it.
// GENERIC-LABEL: func @forced
// GENERIC: mmfree.kernel = #mmfree.kernel<dots, avx2, threads = 3>
func.func @forced(%x: tensor<4x256xi8>, %w: tensor<12x4x16xi8>)
    -> tensor<4x12xi32> {
  %r = mmfree.ternary_matmul %x, %w
      {k = 256 : i64, mmfree.kernel = #mmfree.kernel<dots, avx2, threads = 3>}
      : tensor<4x256xi8>, tensor<12x4x16xi8> -> tensor<4x12xi32>
  return %r : tensor<4x12xi32>
}
