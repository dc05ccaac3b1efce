//===- Npy.h - read 2-D arrays from NumPy .npy files ------------*- C++ -*-===//

#ifndef MMFREE_NUMERICS_NPY_H
#define MMFREE_NUMERICS_NPY_H

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mmfree::numerics {

struct NpyMatrix {
  int64_t rows = 0, cols = 0;
  std::vector<float> data; // row-major
};

/// Parses the bytes of a .npy file (format 1.0 to 3.0) holding a C-ordered,
/// non-empty 2-D array of little-endian float32 or float64 with finite
/// values. On failure returns false and says why in `error`, naming `name`;
/// never reads past `bytes` or allocates more than the data present needs.
bool parseNpyMatrix(std::string_view bytes, const std::string &name,
                    NpyMatrix &out, std::string &error);

/// parseNpyMatrix on the contents of the file at `path`.
bool readNpyMatrix(const std::string &path, NpyMatrix &out, std::string &error);

} // namespace mmfree::numerics

#endif // MMFREE_NUMERICS_NPY_H
