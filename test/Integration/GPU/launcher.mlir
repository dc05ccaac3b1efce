// The host-side launcher: examples/gpu/ternary.mlir keeps the kernel ABI
// that tools/mmfree-gpu-launch assumes (three bare pointers, grid 1024,
// block 128), its cubin comes out of mmfree-opt, and the launcher runs up
// to the driver: against the toolkit's stub libcuda it stops with a clear
// message and exit code 77 (no device). On a machine with an NVIDIA GPU it
// launches and compares all 32768 accumulators (README, "GPU").
//
// RUN: mmfree-opt %S/../../../examples/gpu/ternary.mlir --mmfree-gpu-tile --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --mmfree-gpu-map --gpu-launch-sink-index-computations --gpu-kernel-outlining | FileCheck %s --check-prefix=ABI
// ABI: gpu.func @ternary_kernel(%{{.*}}: memref<8x4096xi8>, %{{.*}}: memref<4096x64x16xi8>, %{{.*}}: memref<8x4096xi32>) kernel attributes {known_block_size = array<i32: 128, 1, 1>, known_grid_size = array<i32: 1024, 1, 1>}
//
// REQUIRES: ptxas, gpu-launcher
// RUN: mmfree-opt %S/../../../examples/gpu/ternary.mlir --mmfree-gpu-pipeline="chip=sm_80 format=bin" > %t.mlir
// RUN: %gpu_objects extract %t.mlir %t.cubin
// RUN: env LD_LIBRARY_PATH=%cuda_stub_dir not mmfree-gpu-launch %t.cubin 2>&1 | FileCheck %s --check-prefix=STUB
// STUB: mmfree-gpu-launch: cuInit: CUDA error 34 CUDA_ERROR_STUB_LIBRARY
// STUB: mmfree-gpu-launch: skipped, no usable CUDA driver or device here
