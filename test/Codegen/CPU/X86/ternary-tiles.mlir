// RUN: mmfree-opt %s --mmfree-select-kernels="target=x86-64-v4,+avx512vnni,+amx-tile,+amx-int8" | FileCheck %s --check-prefix=SELECT
// RUN: mmfree-opt %s --mmfree-select-kernels="target=x86-64-v4,+avx512vnni,+amx-tile,+amx-int8" --mmfree-lower-to-vector | FileCheck %s --check-prefix=TILES
// RUN: mmfree-opt %s --mmfree-select-kernels="target=x86-64-v4,+avx512vnni,+amx-tile,+amx-int8 threads=2" --mmfree-lower-to-vector | FileCheck %s --check-prefix=THREADS
// RUN: mmfree-opt %s --mmfree-select-kernels="target=x86-64-v4,+avx512vnni ternary-kernel=tiles" 2>&1 | FileCheck %s --check-prefix=NOAMX

// On an AMX target the cost model takes tiles where M is a multiple of 32
// (and N of 32); other contractions keep the VNNI dots. Forcing tiles on a
// target without AMX falls back to the cost model's choice.
// SELECT-LABEL: func @gemm
// SELECT: #mmfree.kernel<tiles, amx>
// SELECT-LABEL: func @few_rows
// SELECT: #mmfree.kernel<dots, avx512>
// NOAMX: remark: kernel 'tiles' not taken: the target lacks its instructions
// NOAMX: remark: kernel 'tiles' not taken: tiles need a static M, a multiple of 32
// NOAMX-LABEL: func @gemm
// NOAMX: #mmfree.kernel<dots, avx512>

// Per panel of 32 channels and 64-weight block, each 16 channels' packed
// bytes read as 16 x 4 dwords and transposed; each tile row made from one
// column (shift, mask, one byte shuffle to signed bytes) and stored in a
// stack panel (two tiles side by side); per 32 rows 2 x 2 accumulator tiles over
// every block, two weight and two activation tiles per block, stored once
// into a 32 x 32 scratch and copied into the result. The AMX state is
// requested first.
// TILES-LABEL: func @gemm
// TILES: llvm.inline_asm has_side_effects "syscall"
// TILES: memref.alloca() {alignment = 64 : i64} : memref<32x128xi8>
// TILES: memref.alloca() {alignment = 64 : i64} : memref<32x32xi32>
// TILES: scf.for
// TILES: vector.transpose {{.*}} [1, 0] : vector<16x4xi32> to vector<4x16xi32>
// TILES: arith.shrui {{.*}} : vector<16xi32>
// TILES: arith.andi {{.*}} : vector<16xi32>
// TILES: mmfree.x86_shuffle_bytes {{.*}} : vector<64xi8>
// TILES: vector.transfer_write {{.*}} : vector<64xi8>, memref<32x128xi8>
// TILES: vector.transpose {{.*}} [1, 0] : vector<16x4xi32> to vector<4x16xi32>
// TILES-COUNT-4: amx.tile_zero : !amx.tile<16x16xi32>
// TILES-COUNT-2: amx.tile_load {{.*}} : memref<32x128xi8> into !amx.tile<16x64xi8>
// TILES: amx.tile_load {{.*}} : memref<64x128xi8> into !amx.tile<16x64xi8>
// TILES-COUNT-2: amx.tile_muli
// TILES: amx.tile_load {{.*}} : memref<64x128xi8> into !amx.tile<16x64xi8>
// TILES-COUNT-2: amx.tile_muli
// TILES-COUNT-2: amx.tile_load {{.*}} : memref<32x128xi8> into !amx.tile<16x64xi8>
// TILES-COUNT-4: amx.tile_muli
// TILES-NOT: amx.tile_muli
// TILES-COUNT-4: amx.tile_store {{.*}} : memref<32x32xi32>, !amx.tile<16x16xi32>
// TILES: vector.transfer_write {{.*}} : vector<16xi32>, memref<64x64xi32>
// TILES-LABEL: func @few_rows
// TILES-NOT: amx.
// TILES: mmfree.x86_dot_bytes
// THREADS-LABEL: func @gemm
// THREADS: scf.parallel (%{{.*}}) = (%c0) to (%c2) step (%c1)
// THREADS: amx.tile_muli
func.func @gemm(%x: tensor<64x100xi8>, %w: tensor<64x2x16xi8>) -> tensor<64x64xi32> {
  %acc = mmfree.ternary_matmul %x, %w {k = 100 : i64}
      : tensor<64x100xi8>, tensor<64x2x16xi8> -> tensor<64x64xi32>
  return %acc : tensor<64x64xi32>
}
func.func @few_rows(%x: tensor<8x100xi8>, %w: tensor<32x2x16xi8>) -> tensor<8x32xi32> {
  %acc = mmfree.ternary_matmul %x, %w {k = 100 : i64}
      : tensor<8x100xi8>, tensor<32x2x16xi8> -> tensor<8x32xi32>
  return %acc : tensor<8x32xi32>
}

// RUN: mmfree-opt %s --mmfree-select-kernels="target=x86-64-v4,+avx512vnni,+amx-tile,+amx-int8" --mmfree-lower-to-vector | FileCheck %s --check-prefix=EPILOGUE
// The dequantization fed only by the contraction is the epilogue of each
// row of 16 sums: converted, times the 16 channels' weight scales, over the
// row's scale, stored as f32; no i32 result.
// EPILOGUE-LABEL: func @dequantized
// EPILOGUE-NOT: memref<64x32xi32>
// EPILOGUE: amx.tile_store
// EPILOGUE: %[[F:.*]] = arith.sitofp {{.*}} : vector<16xi32> to vector<16xf32>
// EPILOGUE: %[[W:.*]] = vector.transfer_read {{.*}} : memref<32xf32>, vector<16xf32>
// EPILOGUE: %[[S:.*]] = arith.mulf %[[F]], %[[W]] : vector<16xf32>
// EPILOGUE: arith.divf %[[S]], {{.*}} : vector<16xf32>
// EPILOGUE: vector.transfer_write {{.*}} : vector<16xf32>, memref<64x32xf32>
// EPILOGUE-NOT: mmfree.dequantize
func.func @dequantized(%x: tensor<64x100xi8>, %w: tensor<32x2x16xi8>, %ws: tensor<32xf32>, %q: tensor<64xf32>) -> tensor<64x32xf32> {
  %acc = mmfree.ternary_matmul %x, %w {k = 100 : i64}
      : tensor<64x100xi8>, tensor<32x2x16xi8> -> tensor<64x32xi32>
  %y = mmfree.dequantize %acc, %ws, %q : (tensor<64x32xi32>, tensor<32xf32>, tensor<64xf32>) -> tensor<64x32xf32>
  return %y : tensor<64x32xf32>
}
