// RUN: mmfree-opt %s --mmfree-fold-constant-globals | FileCheck %s
// RUN: mmfree-opt %s --mmfree-cpu-pipeline | FileCheck %s --check-prefix=CPU
// RUN: mmfree-opt %s --mmfree-matmul-to-ternary --mmfree-cpu-pipeline | FileCheck %s --check-prefix=CPU

// Immutable globals become constants and go; a mutable one stays.
// CHECK-NOT: ml_program.global private @w
// CHECK-NOT: ml_program.global private @b
// CHECK: ml_program.global private mutable @state
// CHECK-LABEL: func @forward
// CHECK-DAG: arith.constant dense<{{.*}}> : tensor<3x2xf32>
// CHECK-DAG: arith.constant dense_resource<bias> : tensor<2xf32>
// CHECK: ml_program.global_load @state
// CHECK-NOT: ml_program.global_load_const
// CPU: llvm.func @forward
ml_program.global private @w(dense<[[1.0, 0.0], [-1.0, 1.0], [0.0, -1.0]]> : tensor<3x2xf32>) : tensor<3x2xf32>
ml_program.global private @b(dense_resource<bias> : tensor<2xf32>) : tensor<2xf32>
ml_program.global private mutable @state(dense<0.0> : tensor<2xf32>) : tensor<2xf32>
func.func @forward(%x: tensor<4x3xf32>) -> (tensor<4x2xf32>, tensor<2xf32>) {
  %w = ml_program.global_load_const @w : tensor<3x2xf32>
  %b = ml_program.global_load @b : tensor<2xf32>
  %s = ml_program.global_load @state : tensor<2xf32>
  %e = tensor.empty() : tensor<4x2xf32>
  %c = linalg.broadcast ins(%b : tensor<2xf32>) outs(%e : tensor<4x2xf32>) dimensions = [0]
  %y = linalg.matmul ins(%x, %w : tensor<4x3xf32>, tensor<3x2xf32>) outs(%c : tensor<4x2xf32>) -> tensor<4x2xf32>
  return %y, %s : tensor<4x2xf32>, tensor<2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      bias: "0x040000000000003F000000BF"
    }
  }
#-}
