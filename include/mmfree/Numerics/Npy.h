//===- Npy.h - read 2-D arrays from NumPy .npy files ------------*- C++ -*-===//

#ifndef MMFREE_NUMERICS_NPY_H
#define MMFREE_NUMERICS_NPY_H

#include <cstdint>
#include <string>
#include <vector>

namespace mmfree::numerics {

struct NpyMatrix {
  int64_t rows = 0, cols = 0;
  std::vector<float> data; // row-major
};

/// Reads a C-ordered 2-D array of little-endian float32 or float64 from a
/// .npy file (format 1.0 to 3.0). On failure returns false and says why in
/// `error`.
bool readNpyMatrix(const std::string &path, NpyMatrix &out, std::string &error);

} // namespace mmfree::numerics

#endif // MMFREE_NUMERICS_NPY_H
