// RUN: mmfree-opt %s --mmfree-select-kernels=target=x86-64-v4 --mmfree-lower-to-vector | FileCheck %s --check-prefix=AVX512
// RUN: mmfree-opt %s --mmfree-select-kernels=target=x86-64-v3 --mmfree-lower-to-vector | FileCheck %s --check-prefix=AVX2
// RUN: mmfree-opt %s --mmfree-lower-to-vector | FileCheck %s --check-prefix=NONE
// RUN: not mmfree-opt %s --mmfree-select-kernels=target=neon 2>&1 | FileCheck %s --check-prefix=BAD

// Few outputs: rows in 64 (AVX-512BW) or 32 (AVX2) byte lanes, codes
// transposed codebook-major, one byte shuffle per output and codebook; no
// multiply. Without shuffles, table rows are loaded by address.
// AVX512-LABEL: func @few_outputs
// AVX512: vector.transfer_read {{.*}} : memref<100x8xi8>, vector<64x8xi8>
// AVX512: vector.transpose {{.*}} [1, 0] : vector<64x8xi8> to vector<8x64xi8>
// AVX512: mmfree.x86_shuffle_bytes {{.*}} : vector<64xi8>
// AVX512-NOT: arith.muli
// AVX2: mmfree.x86_shuffle_bytes {{.*}} : vector<32xi8>
// NONE-NOT: mmfree.x86_shuffle_bytes
// BAD: error: mmfree-select-kernels: unknown target 'neon'
func.func @few_outputs(%c: tensor<100x8xi8>, %t: tensor<8x16x10xi8>) -> tensor<100x10xi16> {
  %s = mmfree.lut_matmul %c, %t {accumulation = #mmfree<lut_accumulation exact>}
      : tensor<100x8xi8>, tensor<8x16x10xi8> -> tensor<100x10xi16>
  return %s : tensor<100x10xi16>
}

// Many outputs keep the loads (contiguous stores of whole rows), in 64-byte
// table rows with AVX-512BW, 32 otherwise; the last chunk only as wide as
// the power of two that holds the rest (at least 16): 40 outputs are one
// 64-lane chunk (tables padded to 64, flattened), or 32 + 16 lanes.
// AVX512-LABEL: func @many_outputs
// AVX512-NOT: mmfree.x86_shuffle_bytes
// AVX512: tensor.collapse_shape {{.*}} : tensor<8x16x64xi8> into tensor<8192xi8>
// AVX512: vector.transfer_read {{.*}} : tensor<8192xi8>, vector<64xi8>
// AVX512-NOT: vector<16xi8>
// AVX512: return
// AVX2-LABEL: func @many_outputs
// AVX2: tensor.collapse_shape {{.*}} : tensor<8x16x48xi8> into tensor<6144xi8>
// AVX2: vector.transfer_read {{.*}} : tensor<6144xi8>, vector<32xi8>
// AVX2: vector.transfer_read {{.*}} : tensor<6144xi8>, vector<16xi8>
func.func @many_outputs(%c: tensor<100x8xi8>, %t: tensor<8x16x40xi8>) -> tensor<100x40xi16> {
  %s = mmfree.lut_matmul %c, %t {accumulation = #mmfree<lut_accumulation exact>}
      : tensor<100x8xi8>, tensor<8x16x40xi8> -> tensor<100x40xi16>
  return %s : tensor<100x40xi16>
}

// Column-major rows whose codes are returned (not fused): contiguous loads
// of the split columns, 32 rows in lanes.
// AVX512-LABEL: func @column_major
// AVX512: vector.transfer_read {{.*}} : tensor<64x?xf32>, vector<32xf32>
// AVX512: arith.cmpf ogt, {{.*}} : vector<32xf32>
// AVX512: vector.transpose {{.*}} [1, 0] : vector<2x32xi8> to vector<32x2xi8>
func.func @column_major(%xt: tensor<64x?xf32>) -> tensor<?x2xi8> {
  %dims = arith.constant dense<[[0, 1, 2, 3], [4, 5, 6, 63]]> : tensor<2x4xi32>
  %thr = arith.constant dense<0.5> : tensor<2x15xf32>
  %codes = mmfree.lut_encode %xt, %dims, %thr {transpose_input}
      : tensor<64x?xf32>, tensor<2x4xi32>, tensor<2x15xf32> -> tensor<?x2xi8>
  return %codes : tensor<?x2xi8>
}

// Column-major encode feeding few outputs: fused, in tiles of 256 rows
// (here one partial tile of 100): codebook by codebook, 16 rows per f32
// compare against thresholds picked by node index (AVX-512; by selects
// elsewhere), the codes stored as bytes in a codebook-major stack scratch
// that each 64-row block loads and shuffles directly; no codes tensor, no
// transpose. The tile's reads are masked past row 100; the 36-row tail
// block loads its codes at row 64. Without shuffles (or with many outputs)
// the codes go to the scratch as the starts of their table rows, (16 c +
// code) x 16, that the loads kernel's rows read.
// AVX512-LABEL: func @fused_encode
// AVX512-NOT: mmfree.lut_encode
// AVX512-NOT: vector.transpose
// AVX512: memref.alloca() {alignment = 64 : i64} : memref<2x256xi8>
// AVX512: scf.for {{.*}} = %c0 to %c128 step %c16
// AVX512: vector.transfer_read {{.*}} : memref<8x100xf32>, vector<16xf32>
// AVX512: arith.cmpf ogt
// AVX512: mmfree.x86_permute_lanes {{.*}} : vector<16xf32>, vector<16xi32>
// AVX512: arith.trunci {{.*}} : vector<16xi32> to vector<16xi8>
// AVX512: vector.store {{.*}}[%c0, {{.*}}] : memref<2x256xi8>, vector<16xi8>
// AVX512: vector.store {{.*}}[%c1, {{.*}}] : memref<2x256xi8>, vector<16xi8>
// AVX512: scf.for {{.*}} = %c0 to %c64 step %c64
// AVX512: vector.load {{.*}} : memref<2x256xi8>, vector<64xi8>
// AVX512: mmfree.x86_shuffle_bytes {{.*}} : vector<64xi8>
// AVX512: vector.load {{.*}}[%c0, %c64] : memref<2x256xi8>, vector<64xi8>
// AVX512-NOT: arith.muli
// AVX512: return
// NONE-LABEL: func @fused_encode
// NONE-NOT: vector.transpose
// NONE-NOT: mmfree.x86_shuffle_bytes
// NONE-NOT: mmfree.x86_permute_lanes
// NONE: memref.alloca() {alignment = 64 : i64} : memref<2x256xi32>
// NONE: arith.extui {{.*}} : vector<32xi8> to vector<32xi32>
// NONE: arith.muli {{.*}} : vector<32xi32>
// NONE: vector.store {{.*}} : memref<2x256xi32>, vector<32xi32>
// NONE: memref.load {{.*}} : memref<2x256xi32>
// NONE: vector.transfer_read {{.*}} : memref<512xi8>, vector<16xi8>
// NONE: return
func.func @fused_encode(%at: tensor<8x100xf32>, %t: tensor<2x16x3xi8>) -> tensor<100x3xi16> {
  %dims = arith.constant dense<[[0, 1, 2, 3], [4, 5, 6, 7]]> : tensor<2x4xi32>
  %thr = arith.constant dense<0.5> : tensor<2x15xf32>
  %codes = mmfree.lut_encode %at, %dims, %thr {transpose_input}
      : tensor<8x100xf32>, tensor<2x4xi32>, tensor<2x15xf32> -> tensor<100x2xi8>
  %s = mmfree.lut_matmul %codes, %t {accumulation = #mmfree<lut_accumulation exact>}
      : tensor<100x2xi8>, tensor<2x16x3xi8> -> tensor<100x3xi16>
  return %s : tensor<100x3xi16>
}

// The rescale that mmfree-matmul-to-lut emits (an elementwise generic on
// the sums) is applied by the kernels to their vectors: they write f32 and
// the generic goes; both for shuffles and for loads. A generic that also
// reads its init stays. Its product of a 16-bit sum and a power of two is
// exact, so the product and the add become one fma (bit for bit the same);
// with another scale they stay apart.
// With the shuffles, full blocks gather the f32 outputs in a stack scratch
// and write rows through 16 x 16 transposes (masked past output 10); the
// tail stores element by element.
// AVX512-LABEL: func @rescaled
// AVX512-NOT: linalg.generic
// AVX512: memref.alloca() {alignment = 64 : i64} : memref<16x64xf32>
// AVX512: mmfree.x86_shuffle_bytes
// AVX512: arith.uitofp {{.*}} : vector<64xi16> to vector<64xf32>
// AVX512-NOT: arith.mulf
// AVX512: math.fma {{.*}} : vector<64xf32>
// AVX512: vector.store {{.*}} : memref<16x64xf32>, vector<64xf32>
// AVX512-COUNT-64: vector.shuffle {{.*}} : vector<16xf32>, vector<16xf32>
// AVX512: vector.transfer_write {{.*}} : vector<16xf32>, memref<100x10xf32>
// AVX512: memref.store {{.*}} : memref<100x10xf32>
// NONE-LABEL: func @rescaled
// NONE-NOT: linalg.generic
// NONE: arith.uitofp {{.*}} : vector<16xi16> to vector<16xf32>
// NONE: math.fma {{.*}} : vector<16xf32>
// NONE: vector.transfer_write {{.*}} : vector<16xf32>, tensor<100x10xf32>
// AVX512-LABEL: func @rescaled_inexact
// AVX512-NOT: math.fma
// AVX512: arith.mulf {{.*}} : vector<64xf32>
// AVX512: arith.addf {{.*}} : vector<64xf32>
// AVX512-LABEL: func @accumulating
// AVX512: linalg.generic
func.func @rescaled(%c: tensor<100x8xi8>, %t: tensor<8x16x10xi8>) -> tensor<100x10xf32> {
  %s = mmfree.lut_matmul %c, %t {accumulation = #mmfree<lut_accumulation exact>}
      : tensor<100x8xi8>, tensor<8x16x10xi8> -> tensor<100x10xi16>
  %e = tensor.empty() : tensor<100x10xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%s : tensor<100x10xi16>) outs(%e : tensor<100x10xf32>) {
  ^bb0(%in: i16, %out: f32):
    %f = arith.uitofp %in : i16 to f32
    %k = arith.constant 0.25 : f32
    %m = arith.mulf %f, %k : f32
    %o = arith.constant -3.0 : f32
    %a = arith.addf %m, %o : f32
    linalg.yield %a : f32
  } -> tensor<100x10xf32>
  return %y : tensor<100x10xf32>
}
func.func @rescaled_inexact(%c: tensor<100x8xi8>, %t: tensor<8x16x10xi8>) -> tensor<100x10xf32> {
  %s = mmfree.lut_matmul %c, %t {accumulation = #mmfree<lut_accumulation exact>}
      : tensor<100x8xi8>, tensor<8x16x10xi8> -> tensor<100x10xi16>
  %e = tensor.empty() : tensor<100x10xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%s : tensor<100x10xi16>) outs(%e : tensor<100x10xf32>) {
  ^bb0(%in: i16, %out: f32):
    %f = arith.uitofp %in : i16 to f32
    %k = arith.constant 0.3 : f32
    %m = arith.mulf %f, %k : f32
    %o = arith.constant -3.0 : f32
    %a = arith.addf %m, %o : f32
    linalg.yield %a : f32
  } -> tensor<100x10xf32>
  return %y : tensor<100x10xf32>
}
func.func @accumulating(%c: tensor<100x8xi8>, %t: tensor<8x16x10xi8>, %init: tensor<100x10xf32>) -> tensor<100x10xf32> {
  %s = mmfree.lut_matmul %c, %t {accumulation = #mmfree<lut_accumulation exact>}
      : tensor<100x8xi8>, tensor<8x16x10xi8> -> tensor<100x10xi16>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%s : tensor<100x10xi16>) outs(%init : tensor<100x10xf32>) {
  ^bb0(%in: i16, %out: f32):
    %f = arith.uitofp %in : i16 to f32
    %a = arith.addf %f, %out : f32
    linalg.yield %a : f32
  } -> tensor<100x10xf32>
  return %y : tensor<100x10xf32>
}

// RUN: mmfree-opt %s --mmfree-select-kernels="target=x86-64-v4 threads=2" --mmfree-lower-to-vector | FileCheck %s --check-prefix=THREADS
// Two threads: the full row blocks in two chunks under an scf.parallel,
// each thread with its own transpose scratch; the tail after it.
// THREADS-LABEL: func @rescaled_rows
// THREADS: scf.parallel
// THREADS: memref.alloca() {alignment = 64 : i64} : memref<16x64xf32>
// THREADS: mmfree.x86_shuffle_bytes
// THREADS: scf.reduce
// THREADS: memref.store {{.*}} : memref<300x10xf32>
func.func @rescaled_rows(%c: tensor<300x8xi8>, %t: tensor<8x16x10xi8>) -> tensor<300x10xf32> {
  %s = mmfree.lut_matmul %c, %t {accumulation = #mmfree<lut_accumulation exact>}
      : tensor<300x8xi8>, tensor<8x16x10xi8> -> tensor<300x10xi16>
  %e = tensor.empty() : tensor<300x10xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%s : tensor<300x10xi16>) outs(%e : tensor<300x10xf32>) {
  ^bb0(%in: i16, %out: f32):
    %f = arith.uitofp %in : i16 to f32
    linalg.yield %f : f32
  } -> tensor<300x10xf32>
  return %y : tensor<300x10xf32>
}

// Averaging with constant tables: the loads kernel reads pair tables (the
// first level of the average tree precomputed, one per codebook pair,
// indexed by 16 code(2p) + code(2p + 1); the odd last codebook pairs with
// the zero padding): 3 codebooks, 40 outputs in one 64-lane chunk are
// 2 x 256 rows of 64 bytes. Exact sums keep one table row per codebook.
// AVX512-LABEL: func @pair_tables
// AVX512: arith.constant dense<{{.*}}> : tensor<32768xi8>
// AVX512: memref.alloca() {alignment = 64 : i64} : memref<2x256xi32>
// AVX512: vector.transfer_read {{.*}} : memref<32768xi8>, vector<64xi8>
// AVX512-LABEL: func @no_pair_tables
// AVX512: memref.alloca() {alignment = 64 : i64} : memref<3x256xi32>
// AVX512: vector.transfer_read {{.*}} : memref<3072xi8>, vector<64xi8>
func.func @pair_tables(%at: tensor<8x100xf32>) -> tensor<100x40xi8> {
  %dims = arith.constant dense<[[0, 1, 2, 3], [4, 5, 6, 7], [0, 2, 4, 6]]> : tensor<3x4xi32>
  %thr = arith.constant dense<0.5> : tensor<3x15xf32>
  %t = arith.constant dense<7> : tensor<3x16x40xi8>
  %codes = mmfree.lut_encode %at, %dims, %thr {transpose_input}
      : tensor<8x100xf32>, tensor<3x4xi32>, tensor<3x15xf32> -> tensor<100x3xi8>
  %s = mmfree.lut_matmul %codes, %t {accumulation = #mmfree<lut_accumulation average>}
      : tensor<100x3xi8>, tensor<3x16x40xi8> -> tensor<100x40xi8>
  return %s : tensor<100x40xi8>
}
func.func @no_pair_tables(%at: tensor<8x100xf32>) -> tensor<100x40xi16> {
  %dims = arith.constant dense<[[0, 1, 2, 3], [4, 5, 6, 7], [0, 2, 4, 6]]> : tensor<3x4xi32>
  %thr = arith.constant dense<0.5> : tensor<3x15xf32>
  %t = arith.constant dense<7> : tensor<3x16x40xi8>
  %codes = mmfree.lut_encode %at, %dims, %thr {transpose_input}
      : tensor<8x100xf32>, tensor<3x4xi32>, tensor<3x15xf32> -> tensor<100x3xi8>
  %s = mmfree.lut_matmul %codes, %t {accumulation = #mmfree<lut_accumulation exact>}
      : tensor<100x3xi8>, tensor<3x16x40xi8> -> tensor<100x40xi16>
  return %s : tensor<100x40xi16>
}
