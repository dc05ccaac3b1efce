// The launcher's kernel: an 8 x 4096 int8 activation block times a
// 4096 x 4096 packed ternary weight matrix, i32 accumulators.
//   build/bin/mmfree-opt examples/gpu/ternary.mlir \
//       --mmfree-gpu-pipeline="chip=sm_80 format=bin" > ternary.gpu.mlir
//   python3 test/Integration/GPU/gpu_objects.py extract ternary.gpu.mlir ternary.cubin
//   build/bin/mmfree-gpu-launch ternary.cubin
func.func @ternary(%x: tensor<8x4096xi8>, %w: tensor<4096x64x16xi8>) -> tensor<8x4096xi32> {
  %acc = mmfree.ternary_matmul %x, %w {k = 4096 : i64}
      : tensor<8x4096xi8>, tensor<4096x64x16xi8> -> tensor<8x4096xi32>
  return %acc : tensor<8x4096xi32>
}
