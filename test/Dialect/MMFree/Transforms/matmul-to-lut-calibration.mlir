// Calibration files that cannot be learned from are errors naming the file,
// never a crash, an assertion or tables of garbage. The reader's limits
// (header size, shape vs data, overflowing counts) are unit-tested in
// unittests/NpyTest.cpp; these runs check that the pass reports them.
//
// RUN: %python -c "import numpy as np; a = np.ones((16, 12), np.float32); a[3, 5] = np.nan; np.save('%t-nan.npy', a)"
// RUN: not mmfree-opt %s --mmfree-matmul-to-lut=calibration=%t-nan.npy 2>&1 | FileCheck %s --check-prefix=NAN
// NAN: error: mmfree-matmul-to-lut: calibration: '{{.*}}-nan.npy' holds a non-finite value (or one beyond the float range) at row 3, column 5
//
// RUN: %python -c "import numpy as np; np.save('%t-empty.npy', np.ones((0, 12), np.float32))"
// RUN: not mmfree-opt %s --mmfree-matmul-to-lut=calibration=%t-empty.npy 2>&1 | FileCheck %s --check-prefix=EMPTY
// EMPTY: error: mmfree-matmul-to-lut: calibration: '{{.*}}-empty.npy' has shape (0, 12); expected at least one row and one column
//
// A header whose shape promises more than the file holds.
// RUN: %python -c "import numpy as np; np.save('%t-short.npy', np.ones((16, 12), np.float32))"
// RUN: %python -c "d = open('%t-short.npy', 'rb').read().replace(b'(16, 12)', b'(99999999999, 12)', 1); open('%t-short.npy', 'wb').write(d)"
// RUN: not mmfree-opt %s --mmfree-matmul-to-lut=calibration=%t-short.npy 2>&1 | FileCheck %s --check-prefix=SHORT
// SHORT: error: mmfree-matmul-to-lut: calibration: '{{.*}}-short.npy' ends before its 99999999999 x 12 values
//
// A 20-digit dimension.
// RUN: %python -c "d = open('%t-short.npy', 'rb').read().replace(b'(99999999999, 12)', b'(99999999999999999999, 12)', 1); open('%t-huge.npy', 'wb').write(d)"
// RUN: not mmfree-opt %s --mmfree-matmul-to-lut=calibration=%t-huge.npy 2>&1 | FileCheck %s --check-prefix=HUGE
// HUGE: error: mmfree-matmul-to-lut: calibration: '{{.*}}-huge.npy' has a shape too large to represent
//
// Finite values whose learned tables overflow the float range.
// RUN: %python -c "import numpy as np; np.save('%t-big.npy', np.random.default_rng(0).standard_normal((64, 12)).astype(np.float32) * 1e37)"
// RUN: not mmfree-opt %s --mmfree-matmul-to-lut="calibration=%t-big.npy codebooks=3" 2>&1 | FileCheck %s --check-prefix=BIG
// BIG: error: the table entries learned from the calibration rows and these weights exceed the float range

func.func @layer(%x: tensor<2x12xf32>, %c: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %w = arith.constant dense<3.0e+37> : tensor<12x3xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x12xf32>, tensor<12x3xf32>) outs(%c : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
