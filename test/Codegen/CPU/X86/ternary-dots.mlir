// RUN: mmfree-opt %s --mmfree-select-kernels=target=x86-64-v4,+avx512vnni --mmfree-lower-to-vector | FileCheck %s --check-prefix=VNNI
// RUN: mmfree-opt %s --mmfree-lower-to-vector | FileCheck %s --check-prefix=NONE
// RUN: not mmfree-opt %s --mmfree-select-kernels=ternary-kernel=amx 2>&1 | FileCheck %s --check-prefix=BAD

// With VNNI, per block and channel one 16-byte load broadcast to 64 bytes,
// shifted per qword by 2j and masked to 2-bit codes, which one byte shuffle
// maps to w + 1 (runtime weights); one byte dot product per row and channel,
// one more per row for the activation sum to subtract.
// VNNI-LABEL: func @gemv
// VNNI: arith.constant dense<[0, 0, 2, 2, 4, 4, 6, 6]> : vector<8xi64>
// VNNI: mmfree.x86_dot_bytes {{.*}} : vector<16xi32>, vector<64xi8>
// VNNI: vector.shuffle {{.*}} : vector<16xi8>, vector<16xi8>
// VNNI: arith.shrui {{.*}} : vector<8xi64>
// VNNI: arith.andi {{.*}} : vector<64xi8>
// VNNI: mmfree.x86_shuffle_bytes {{.*}} : vector<64xi8>
// VNNI: mmfree.x86_dot_bytes {{.*}} : vector<16xi32>, vector<64xi8>
// VNNI: arith.subi {{.*}} : vector<16xi32>
// VNNI: vector.reduction <add>
// VNNI: arith.trunci {{.*}} : i32 to i16
// NONE-NOT: mmfree.x86_dot_bytes
// BAD: for the --ternary-kernel option: Cannot find option named 'amx'
//
// With GFNI one gf2p8affineqb per block decodes the codes of slice j (bits
// 2j, 2j + 1 of each byte) to w + 1 = (c0, 1 ^ c0 ^ c1): per qword, byte 7
// (result bit 0) masks both code bits, byte 6 (bit 1) the low one.
// RUN: mmfree-opt %s --mmfree-select-kernels=target=x86-64-v4,+avx512vnni,+gfni --mmfree-lower-to-vector | FileCheck %s --check-prefix=GFNI
// GFNI-LABEL: func @gemv
// GFNI-NOT: mmfree.x86_shuffle_bytes
// GFNI-DAG: arith.constant dense<[0, 0, 0, 0, 0, 0, 1, 3, 0, 0, 0, 0, 0, 0, 1, 3, 0, 0, 0, 0, 0, 0, 4, 12, 0, 0, 0, 0, 0, 0, 4, 12, 0, 0, 0, 0, 0, 0, 16, 48, 0, 0, 0, 0, 0, 0, 16, 48, 0, 0, 0, 0, 0, 0, 64, -64, 0, 0, 0, 0, 0, 0, 64, -64]> : vector<64xi8>
// GFNI: scf.for
// GFNI: memref.prefetch {{.*}} : memref<16x4x16xi8>
// GFNI-COUNT-8: mmfree.x86_affine_bytes {{.*}}, 1 : vector<64xi8>
// GFNI: scf.yield
// GFNI-NOT: mmfree.x86_shuffle_bytes
// GFNI: return
func.func @gemv(%x: tensor<1x200xi8>, %w: tensor<16x4x16xi8>) -> tensor<1x16xi16> {
  %acc = mmfree.ternary_matmul %x, %w {k = 200 : i64}
      : tensor<1x200xi8>, tensor<16x4x16xi8> -> tensor<1x16xi16>
  return %acc : tensor<1x16xi16>
}

// Float activations keep the add/sub kernel.
// VNNI-LABEL: func @float_rows
// VNNI-NOT: mmfree.x86_dot_bytes
// VNNI: return
func.func @float_rows(%x: tensor<2x64xf32>, %w: tensor<8x1x16xi8>) -> tensor<2x8xf32> {
  %acc = mmfree.ternary_matmul %x, %w {k = 64 : i64}
      : tensor<2x64xf32>, tensor<8x1x16xi8> -> tensor<2x8xf32>
  return %acc : tensor<2x8xf32>
}

// RUN: mmfree-opt %s --mmfree-select-kernels="target=x86-64-v4,+avx512vnni threads=2" --mmfree-lower-to-vector | FileCheck %s --check-prefix=THREADS
// RUN: not mmfree-opt %s --mmfree-select-kernels=threads=-1 2>&1 | FileCheck %s --check-prefix=ZERO
// Threads: the 16 channels in 2 chunks of 8, an scf.parallel over them
// writing the result buffer; N = 8 is not a multiple of 16: no threads.
// THREADS-LABEL: func @gemv
// THREADS: scf.parallel (%{{.*}}) = (%c0) to (%c2) step (%c1)
// THREADS: mmfree.x86_dot_bytes
// THREADS: memref.store
// THREADS-LABEL: func @float_rows
// THREADS-NOT: scf.parallel
// ZERO: error: mmfree-select-kernels: threads must be in [0, 1024], got -1

// RUN: mmfree-opt %s --mmfree-select-kernels=target=x86-64-v4,+avx512vnni --mmfree-lower-to-vector | FileCheck %s --check-prefix=LAYOUT
// Constant weights are interleaved by 8 channels for the VNNI kernel, so a
// channel group reads one contiguous stream, and stored as w + 1 (packed
// byte 0b01 = codes +1, 0, 0, 0 becomes 0b01010110 = 86). Slice j is only
// masked in place (bytes (w + 1) * 4^j, mask 3 << 2j: -64 is 0xC0); lanes
// of slice j are shifted back by 2j before the activation sum goes.
// THREADS-LABEL: func @constant_weights
// LAYOUT-LABEL: func @constant_weights
// LAYOUT: arith.constant dense<[3, 3, {{.*}}, 12, {{.*}}, 48, {{.*}}, -64]> : vector<64xi8>
// LAYOUT: arith.constant dense<86> : tensor<2x1x8x16xi8>
// LAYOUT: vector.transfer_read {{.*}} : memref<2x1x8x16xi8>, vector<16xi8>
// LAYOUT-NOT: arith.shrui
// LAYOUT-NOT: mmfree.x86_shuffle_bytes
// LAYOUT: arith.andi {{.*}} : vector<64xi8>
// LAYOUT: mmfree.x86_dot_bytes
// LAYOUT: arith.shrsi {{.*}} : vector<16xi32>
// LAYOUT: return
func.func @constant_weights(%x: tensor<1x64xi8>) -> tensor<1x16xi32> {
  %w = arith.constant dense<1> : tensor<16x1x16xi8>
  %acc = mmfree.ternary_matmul %x, %w {k = 64 : i64}
      : tensor<1x64xi8>, tensor<16x1x16xi8> -> tensor<1x16xi32>
  return %acc : tensor<1x16xi32>
}

// RUN: mmfree-opt %s --mmfree-select-kernels=target=x86-64-v4,+avx512vnni --mmfree-lower-to-vector | FileCheck %s --check-prefix=ROWS
// Four rows share each decode: four activation-sum dots, then one dot per
// row and channel; the sums are subtracted before the lane reduction.
// ROWS-LABEL: func @four_rows
// ROWS-NOT: arith.xori
// ROWS-COUNT-4: mmfree.x86_dot_bytes
// ROWS: mmfree.x86_shuffle_bytes
// ROWS-COUNT-4: mmfree.x86_dot_bytes
// ROWS: arith.subi {{.*}} : vector<16xi32>
// ROWS: vector.reduction <add>
func.func @four_rows(%x: tensor<4x64xi8>, %w: tensor<4x1x16xi8>) -> tensor<4x4xi32> {
  %acc = mmfree.ternary_matmul %x, %w {k = 64 : i64}
      : tensor<4x64xi8>, tensor<4x1x16xi8> -> tensor<4x4xi32>
  return %acc : tensor<4x4xi32>
}

// RUN: mmfree-opt %s --mmfree-select-kernels=target=x86-64-v4,+avx512vnni --mmfree-lower-to-vector | FileCheck %s --check-prefix=PREFETCH
// The weight streams are prefetched 16 blocks ahead (two lines of an
// interleaved group).
// PREFETCH-LABEL: func @prefetch
// PREFETCH: memref.prefetch {{.*}}[{{.*}}], read, locality<3>, data : memref<2x32x8x16xi8>
// PREFETCH: memref.prefetch {{.*}}[{{.*}}], read, locality<3>, data : memref<2x32x8x16xi8>
// PREFETCH: mmfree.x86_dot_bytes
func.func @prefetch(%x: tensor<1x2048xi8>) -> tensor<1x16xi32> {
  %w = arith.constant dense<1> : tensor<16x32x16xi8>
  %acc = mmfree.ternary_matmul %x, %w {k = 2048 : i64}
      : tensor<1x2048xi8>, tensor<16x32x16xi8> -> tensor<1x16xi32>
  return %acc : tensor<1x16xi32>
}

// RUN: mmfree-opt %s --mmfree-select-kernels=target=x86-64-v4,+avx512vnni --mmfree-lower-to-vector | FileCheck %s --check-prefix=LIMIT
// (w + 1) * 4^j products fit i32 lanes below 2^15 blocks: K = 2^21 keeps
// the per-channel layout (shift and shuffle), one block less interleaves.
// LIMIT-LABEL: func @scaled_limit
// LIMIT-NOT: tensor<1x32768x8x16xi8>
// LIMIT: mmfree.x86_shuffle_bytes
// LIMIT-LABEL: func @below_scaled_limit
// LIMIT: arith.constant dense<86> : tensor<1x32767x8x16xi8>
// LIMIT-NOT: mmfree.x86_shuffle_bytes
// LIMIT: return
func.func @scaled_limit(%x: tensor<1x2097152xi8>) -> tensor<1x8xi32> {
  %w = arith.constant dense<1> : tensor<8x32768x16xi8>
  %acc = mmfree.ternary_matmul %x, %w {k = 2097152 : i64}
      : tensor<1x2097152xi8>, tensor<8x32768x16xi8> -> tensor<1x8xi32>
  return %acc : tensor<1x8xi32>
}
func.func @below_scaled_limit(%x: tensor<1x2097088xi8>) -> tensor<1x8xi32> {
  %w = arith.constant dense<1> : tensor<8x32767x16xi8>
  %acc = mmfree.ternary_matmul %x, %w {k = 2097088 : i64}
      : tensor<1x2097088xi8>, tensor<8x32767x16xi8> -> tensor<1x8xi32>
  return %acc : tensor<1x8xi32>
}

// RUN: mmfree-opt %s --mmfree-select-kernels=target=x86-64-v4,+avx512vnni --mmfree-lower-to-vector | FileCheck %s --check-prefix=FUSE
// Activation quantization that feeds only the kernel becomes the prologue
// of each row group: 16-lane absolute maximum, scale, quantized rows in a
// zeroed stack scratch the kernel reads; its scales go to a buffer that
// replaces the op's. Quantized rows used elsewhere keep the op. The
// dequantization becomes the epilogue, with the prologue's own row scales
// (its constant weight scale, defined after the contraction, copied before
// it).
// FUSE-LABEL: func @fused_quantize
// FUSE-NOT: mmfree.quantize_rows
// FUSE: memref.alloca() {alignment = 64 : i64} : memref<4x128xi8>
// FUSE: scf.for
// FUSE: arith.maximumf {{.*}} : vector<16xf32>
// FUSE: vector.reduction <maximumf>
// FUSE: %[[Q:.*]] = arith.divf
// FUSE: math.roundeven {{.*}} : vector<16xf32>
// FUSE: vector.transfer_write {{.*}} : vector<16xi8>, memref<4x128xi8>
// FUSE: memref.store
// FUSE: mmfree.x86_dot_bytes
// FUSE: vector.reduction <add>
// FUSE: %[[F:.*]] = arith.sitofp {{.*}} : i32 to f32
// FUSE: %[[S:.*]] = arith.mulf %[[F]]
// FUSE: arith.divf %[[S]], %[[Q]] : f32
// FUSE: tensor.insert {{.*}} : tensor<5x16xf32>
// FUSE-NOT: mmfree.dequantize
// FUSE-LABEL: func @shared_quantize
// FUSE: mmfree.quantize_rows
// FUSE-NOT: memref.alloca
// FUSE: return
func.func @fused_quantize(%x: tensor<5x100xf32>, %w: tensor<16x2x16xi8>) -> tensor<5x16xf32> {
  %xq, %q = mmfree.quantize_rows %x : tensor<5x100xf32> -> tensor<5x100xi8>, tensor<5xf32>
  %acc = mmfree.ternary_matmul %xq, %w {k = 100 : i64}
      : tensor<5x100xi8>, tensor<16x2x16xi8> -> tensor<5x16xi32>
  %ws = arith.constant dense<1.0> : tensor<1xf32>
  %y = mmfree.dequantize %acc, %ws, %q : (tensor<5x16xi32>, tensor<1xf32>, tensor<5xf32>) -> tensor<5x16xf32>
  return %y : tensor<5x16xf32>
}
func.func @shared_quantize(%x: tensor<1x64xf32>, %w: tensor<8x1x16xi8>) -> (tensor<1x8xi32>, tensor<1x64xi8>) {
  %xq, %q = mmfree.quantize_rows %x : tensor<1x64xf32> -> tensor<1x64xi8>, tensor<1xf32>
  %acc = mmfree.ternary_matmul %xq, %w {k = 64 : i64}
      : tensor<1x64xi8>, tensor<8x1x16xi8> -> tensor<1x8xi32>
  return %acc, %xq : tensor<1x8xi32>, tensor<1x64xi8>
}

// RUN: mmfree-opt %s --mmfree-select-kernels=target=x86-64-v4,+avx512vnni --mmfree-lower-to-vector | FileCheck %s --check-prefix=EPILOGUE
// RUN: mmfree-opt %s --mmfree-select-kernels="target=x86-64-v4,+avx512vnni threads=2" --mmfree-lower-to-vector | FileCheck %s --check-prefix=EPILOGUE2
// A dequantization that only the contraction feeds is its epilogue: each
// sum goes to f32, times its channel's weight scale, over its row's scale
// (loaded from the operand here), stored once; no i32 accumulator tensor.
// With threads, the same into the result buffer. A contraction whose sums
// are also returned keeps its dequantization.
// EPILOGUE-LABEL: func @epilogue
// EPILOGUE-NOT: tensor<3x16xi32>
// EPILOGUE: %[[WS:.*]] = bufferization.to_buffer %arg2 read_only : tensor<16xf32>
// EPILOGUE: %[[RS:.*]] = bufferization.to_buffer %arg3 read_only : tensor<3xf32>
// EPILOGUE: scf.for %[[ROW:arg[0-9]+]] = {{.*}} -> (tensor<3x16xf32>)
// EPILOGUE: %[[Q:.*]] = memref.load %[[RS]][%[[ROW]]]
// EPILOGUE: mmfree.x86_dot_bytes
// EPILOGUE: %[[F:.*]] = arith.sitofp {{.*}} : i32 to f32
// EPILOGUE: %[[W:.*]] = memref.load %[[WS]]
// EPILOGUE: %[[S:.*]] = arith.mulf %[[F]], %[[W]] : f32
// EPILOGUE: %[[Y:.*]] = arith.divf %[[S]], %[[Q]] : f32
// EPILOGUE: tensor.insert %[[Y]] {{.*}} : tensor<3x16xf32>
// EPILOGUE-NOT: mmfree.dequantize
// EPILOGUE-LABEL: func @sums_returned
// EPILOGUE: mmfree.dequantize
// EPILOGUE2-LABEL: func @epilogue
// EPILOGUE2-NOT: tensor<3x16xi32>
// EPILOGUE2: memref.alloc() {alignment = 64 : i64} : memref<3x16xf32>
// EPILOGUE2: scf.parallel
// EPILOGUE2: arith.divf
// EPILOGUE2: memref.store {{.*}} : memref<3x16xf32>
func.func @epilogue(%xq: tensor<3x64xi8>, %w: tensor<16x1x16xi8>, %ws: tensor<16xf32>, %q: tensor<3xf32>) -> tensor<3x16xf32> {
  %acc = mmfree.ternary_matmul %xq, %w {k = 64 : i64}
      : tensor<3x64xi8>, tensor<16x1x16xi8> -> tensor<3x16xi32>
  %y = mmfree.dequantize %acc, %ws, %q : (tensor<3x16xi32>, tensor<16xf32>, tensor<3xf32>) -> tensor<3x16xf32>
  return %y : tensor<3x16xf32>
}
func.func @sums_returned(%xq: tensor<3x64xi8>, %w: tensor<16x1x16xi8>, %ws: tensor<16xf32>, %q: tensor<3xf32>) -> (tensor<3x16xf32>, tensor<3x16xi32>) {
  %acc = mmfree.ternary_matmul %xq, %w {k = 64 : i64}
      : tensor<3x64xi8>, tensor<16x1x16xi8> -> tensor<3x16xi32>
  %y = mmfree.dequantize %acc, %ws, %q : (tensor<3x16xi32>, tensor<16xf32>, tensor<3xf32>) -> tensor<3x16xf32>
  return %y, %acc : tensor<3x16xf32>, tensor<3x16xi32>
}

// RUN: mmfree-opt %s --mmfree-select-kernels=target=x86-64-v3,+avxvnni --mmfree-lower-to-vector | FileCheck %s --check-prefix=AVXVNNI
// AVX-VNNI: 32-byte dots, a 64-weight block in two halves of two slices
// (shifts 0, 2 and 4, 6), each shifted and masked to w + 1 (interleaved
// constants too: no in-place scaling, so no shift at the end); rows in
// pairs.
// AVXVNNI-LABEL: func @constant_weights
// AVXVNNI-DAG: arith.constant dense<[0, 0, 2, 2]> : vector<4xi64>
// AVXVNNI-DAG: arith.constant dense<[4, 4, 6, 6]> : vector<4xi64>
// AVXVNNI-NOT: mmfree.x86_shuffle_bytes
// AVXVNNI: mmfree.x86_dot_bytes {{.*}} : vector<8xi32>, vector<32xi8>
// AVXVNNI-NOT: arith.shrsi
// AVXVNNI: return
// AVXVNNI-LABEL: func @four_rows
// AVXVNNI: mmfree.x86_shuffle_bytes {{.*}} : vector<32xi8>
// AVXVNNI: mmfree.x86_dot_bytes {{.*}} : vector<8xi32>, vector<32xi8>

// RUN: mmfree-opt %s --mmfree-select-kernels="target=x86-64-v3 ternary-kernel=dots" --mmfree-lower-to-vector | FileCheck %s --check-prefix=AVX2 --implicit-check-not=x86_dot_bytes
// Plain AVX2 (no vpdpbusd), the same 32-byte decode; each dot is a byte-pair
// multiply-add into i16 (vpmaddubsw), summed in i16 lanes over chunks of
// 16 blocks (at most 16384), then widened into the i32 accumulators once
// per chunk (vpmaddwd by ones).
// AVX2-LABEL: func @four_rows
// AVX2: scf.for {{.*}} step %c1024 iter_args({{.*}}) -> (vector<8xi32>,
// AVX2:   %[[END:.*]] = arith.minui
// AVX2:   scf.for {{.*}} to %[[END]] step %c64 iter_args({{.*}}) -> (vector<16xi16>,
// AVX2:     %[[P:.*]] = mmfree.x86_multiply_add_bytes {{.*}} : vector<32xi8> -> vector<16xi16>
// AVX2:     arith.addi %{{.*}}, %[[P]] : vector<16xi16>
// AVX2:     %[[C:.*]] = mmfree.x86_shuffle_bytes {{.*}} : vector<32xi8>
// AVX2:     mmfree.x86_multiply_add_bytes %[[C]], {{.*}} : vector<32xi8> -> vector<16xi16>
// AVX2:   %[[W:.*]] = mmfree.x86_multiply_add_words {{.*}} : vector<16xi16> -> vector<8xi32>
// AVX2:   arith.addi %{{.*}}, %[[W]] : vector<8xi32>
// AVX2: return
