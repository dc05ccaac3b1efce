//===- Npy.cpp - read 2-D arrays from NumPy .npy files --------------------===//

#include "mmfree/Numerics/Npy.h"

#include <cstring>
#include <fstream>
#include <regex>

namespace mmfree::numerics {

bool readNpyMatrix(const std::string &path, NpyMatrix &out,
                   std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open '" + path + "'";
    return false;
  }
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0) {
    error = "'" + path + "' is not a .npy file";
    return false;
  }
  uint32_t headerLen = 0;
  unsigned char len[4] = {0, 0, 0, 0};
  int lenBytes = magic[6] == 1 ? 2 : 4;
  if (!in.read(reinterpret_cast<char *>(len), lenBytes)) {
    error = "truncated .npy header in '" + path + "'";
    return false;
  }
  for (int i = lenBytes - 1; i >= 0; --i)
    headerLen = headerLen << 8 | len[i];
  std::string header(headerLen, '\0');
  if (!in.read(header.data(), headerLen)) {
    error = "truncated .npy header in '" + path + "'";
    return false;
  }
  std::smatch match;
  if (!std::regex_search(header, match,
                         std::regex("'descr':\\s*'([<|>]?)([fi])(\\d+)'"))) {
    error = "no dtype in the header of '" + path + "'";
    return false;
  }
  std::string order = match[1], kind = match[2];
  int size = std::stoi(match[3]);
  if (order == ">" || kind != "f" || (size != 4 && size != 8)) {
    error = "'" + path + "' holds " + std::string(match[0]) +
            "; expected little-endian float32 or float64";
    return false;
  }
  if (std::regex_search(header, std::regex("'fortran_order':\\s*True"))) {
    error = "'" + path + "' is in Fortran order; expected C order";
    return false;
  }
  if (!std::regex_search(header, match,
                         std::regex("'shape':\\s*\\(\\s*(\\d+)\\s*,\\s*(\\d+)"
                                    "\\s*,?\\s*\\)"))) {
    error = "'" + path + "' is not a 2-D array";
    return false;
  }
  out.rows = std::stoll(match[1]);
  out.cols = std::stoll(match[2]);
  out.data.resize(out.rows * out.cols);
  for (float &v : out.data) {
    if (size == 4) {
      if (!in.read(reinterpret_cast<char *>(&v), 4))
        break;
    } else {
      double d;
      if (!in.read(reinterpret_cast<char *>(&d), 8))
        break;
      v = static_cast<float>(d);
    }
  }
  if (!in) {
    error = "'" + path + "' ends before its " + std::to_string(out.rows) +
            " x " + std::to_string(out.cols) + " values";
    return false;
  }
  return true;
}

} // namespace mmfree::numerics
