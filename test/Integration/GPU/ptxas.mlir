// Every mmfree GPU kernel assembles with ptxas for sm_80 and sm_90 without
// spills; ptxas -v reports the registers each uses. The pipeline's own
// cubin output (format=bin) is an ELF object.
//
// REQUIRES: ptxas
// RUN: mmfree-opt %S/ternary.mlir --mmfree-gpu-pipeline="chip=sm_80" > %t-t80.mlir
// RUN: %gpu_objects extract %t-t80.mlir %t-t80.ptx
// RUN: %ptxas -arch=sm_80 -v %t-t80.ptx -o %t-t80.cubin 2>&1 | FileCheck %s --check-prefix=TERNARY
// RUN: mmfree-opt %S/ternary.mlir --mmfree-gpu-pipeline="chip=sm_90" > %t-t90.mlir
// RUN: %gpu_objects extract %t-t90.mlir %t-t90.ptx
// RUN: %ptxas -arch=sm_90 -v %t-t90.ptx -o %t-t90.cubin 2>&1 | FileCheck %s --check-prefix=TERNARY
// TERNARY: Compiling entry function 'ternary_kernel'
// TERNARY: 0 bytes spill stores, 0 bytes spill loads
// TERNARY: Used {{[0-9]+}} registers
//
// RUN: mmfree-opt %S/lut.mlir --mmfree-gpu-pipeline="chip=sm_80" > %t-l80.mlir
// RUN: %gpu_objects extract %t-l80.mlir %t-l80e.ptx lut_kernel
// RUN: %gpu_objects extract %t-l80.mlir %t-l80m.ptx lut_kernel_0
// RUN: %ptxas -arch=sm_80 -v %t-l80e.ptx -o %t-l80e.cubin 2>&1 | FileCheck %s --check-prefix=LUT
// RUN: %ptxas -arch=sm_80 -v %t-l80m.ptx -o %t-l80m.cubin 2>&1 | FileCheck %s --check-prefix=LUT
// RUN: mmfree-opt %S/lut.mlir --mmfree-gpu-pipeline="chip=sm_90" > %t-l90.mlir
// RUN: %gpu_objects extract %t-l90.mlir %t-l90e.ptx lut_kernel
// RUN: %gpu_objects extract %t-l90.mlir %t-l90m.ptx lut_kernel_0
// RUN: %ptxas -arch=sm_90 -v %t-l90e.ptx -o %t-l90e.cubin 2>&1 | FileCheck %s --check-prefix=LUT
// RUN: %ptxas -arch=sm_90 -v %t-l90m.ptx -o %t-l90m.cubin 2>&1 | FileCheck %s --check-prefix=LUT
// LUT: Compiling entry function 'lut_kernel
// LUT: 0 bytes spill stores, 0 bytes spill loads
// LUT: Used {{[0-9]+}} registers
//
// RUN: mmfree-opt %S/lmul.mlir --mmfree-gpu-pipeline="chip=sm_80" > %t-m80.mlir
// RUN: %gpu_objects extract %t-m80.mlir %t-m80.ptx
// RUN: %ptxas -arch=sm_80 -v %t-m80.ptx -o %t-m80.cubin 2>&1 | FileCheck %s --check-prefix=LMUL
// RUN: mmfree-opt %S/lmul.mlir --mmfree-gpu-pipeline="chip=sm_90" > %t-m90.mlir
// RUN: %gpu_objects extract %t-m90.mlir %t-m90.ptx
// RUN: %ptxas -arch=sm_90 -v %t-m90.ptx -o %t-m90.cubin 2>&1 | FileCheck %s --check-prefix=LMUL
// LMUL: Compiling entry function 'lmul_kernel'
// LMUL: 0 bytes spill stores, 0 bytes spill loads
// LMUL: Used {{[0-9]+}} registers
//
// RUN: mmfree-opt %S/ternary.mlir --mmfree-gpu-pipeline="chip=sm_90 format=bin" | FileCheck %s --check-prefix=BIN
// BIN: gpu.binary @ternary_kernel [#gpu.object<#nvvm.target<O = 3, chip = "sm_90", features = "+ptx80">, {{.*}}"\7FELF
