// The demo end to end on the example MLP, one timed run: every strategy
// compiles, runs and agrees with f32 on every row's argmax (the timings
// themselves are not checked).
// RUN: mmfree-demo %S/../../examples/mlp.mlir --repetitions 1 | FileCheck %s
// RUN: not mmfree-demo %s 2>&1 | FileCheck %s --check-prefix=BAD

// CHECK: model: {{.*}}mlp.mlir, input 4x64, output 4x16
// CHECK: f32 {{.*}} 1.000000 4/4
// CHECK: ternary-int8 {{.*}} 4/4
// CHECK: ternary-float {{.*}} 4/4
// CHECK: lmul-f32 {{.*}} 4/4

// BAD: mmfree-demo: expected @forward(tensor<BxDxf32>) -> tensor<BxOxf32>
func.func @other(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  return %x : tensor<2x2xf32>
}
