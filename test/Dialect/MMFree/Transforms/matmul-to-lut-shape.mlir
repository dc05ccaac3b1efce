// Calibration rows must have the contraction's K columns; other
// contractions (layers of another width) are left alone with a remark.
// RUN: %python -c "import numpy as np; np.save('%t.npy', np.ones((16, 7), np.float32))"
// RUN: mmfree-opt %s --mmfree-matmul-to-lut=calibration=%t.npy -verify-diagnostics

func.func @mismatch(%x: tensor<2x12xf32>, %c: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %w = arith.constant dense<0.25> : tensor<12x3xf32>
  // expected-remark @+1 {{not rewritten to table lookups: calibration rows have 7 columns but this contraction reduces over 12}}
  %y = linalg.matmul ins(%x, %w : tensor<2x12xf32>, tensor<12x3xf32>) outs(%c : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
