//===- Npy.cpp - read 2-D arrays from NumPy .npy files --------------------===//
//
// The reader takes untrusted bytes: every count is parsed with overflow
// checks and compared with the bytes present before anything is allocated.
//
//===----------------------------------------------------------------------===//

#include "mmfree/Numerics/Npy.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <regex>

namespace mmfree::numerics {

namespace {

/// Headers are padded to 64 bytes by NumPy; real ones are under 200 bytes.
constexpr uint32_t kMaxHeaderBytes = 1 << 16;

} // namespace

/// Parses a decimal count that fits in int64_t.
static bool parseCount(const std::string &text, int64_t &value) {
  const char *end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  return ec == std::errc() && ptr == end && value >= 0;
}

bool parseNpyMatrix(std::string_view bytes, const std::string &name,
                    NpyMatrix &out, std::string &error) {
  auto fail = [&](const std::string &why) {
    error = "'" + name + "' " + why;
    return false;
  };
  if (bytes.size() < 10 || bytes.substr(0, 6) != "\x93NUMPY")
    return fail("is not a .npy file");
  int major = static_cast<unsigned char>(bytes[6]);
  if (major < 1 || major > 3)
    return fail("has .npy format version " + std::to_string(major) +
                "; expected 1, 2 or 3");
  size_t lenBytes = major == 1 ? 2 : 4;
  if (bytes.size() < 8 + lenBytes)
    return fail("has a truncated .npy header");
  uint32_t headerLen = 0;
  for (size_t i = lenBytes; i-- > 0;)
    headerLen = headerLen << 8 | static_cast<unsigned char>(bytes[8 + i]);
  size_t dataStart = 8 + lenBytes + size_t(headerLen);
  if (headerLen > kMaxHeaderBytes)
    return fail("has a .npy header of " + std::to_string(headerLen) +
                " bytes; at most " + std::to_string(kMaxHeaderBytes) +
                " are accepted");
  if (bytes.size() < dataStart)
    return fail("has a truncated .npy header");
  std::string header(bytes.substr(8 + lenBytes, headerLen));

  std::smatch match;
  if (!std::regex_search(header, match,
                         std::regex("'descr':\\s*'([<|>=]?)([a-zA-Z])(\\d+)'")))
    return fail("has no dtype in its header");
  std::string order = match[1], kind = match[2], width = match[3];
  bool littleEndian = order == "<" || order == "=" || order.empty();
  if (!littleEndian || kind != "f" || (width != "4" && width != "8"))
    return fail("holds " + std::string(match[0]) +
                "; expected little-endian float32 or float64");
  size_t size = width == "4" ? 4 : 8;
  if (!std::regex_search(header, std::regex("'fortran_order':\\s*False")))
    return fail("is in Fortran order (or says no order); expected C order");
  if (!std::regex_search(header, match,
                         std::regex("'shape':\\s*\\(\\s*(\\d+)\\s*,\\s*(\\d+)"
                                    "\\s*,?\\s*\\)")))
    return fail("is not a 2-D array");
  int64_t rows, cols;
  if (!parseCount(match[1], rows) || !parseCount(match[2], cols))
    return fail("has a shape too large to represent: (" +
                std::string(match[1]) + ", " + std::string(match[2]) + ")");
  if (rows == 0 || cols == 0)
    return fail("has shape (" + std::to_string(rows) + ", " +
                std::to_string(cols) + "); expected at least one row and " +
                "one column");
  // Both are checked against the bytes present, so neither product below
  // overflows: the data would not fit in memory otherwise.
  size_t present = bytes.size() - dataStart;
  if (uint64_t(rows) > present / size / uint64_t(cols))
    return fail("ends before its " + std::to_string(rows) + " x " +
                std::to_string(cols) + " values (" + std::to_string(present) +
                " data bytes)");

  const char *data = bytes.data() + dataStart;
  std::vector<float> values(size_t(rows) * size_t(cols));
  for (size_t i = 0; i < values.size(); ++i) {
    if (size == 4) {
      std::memcpy(&values[i], data + 4 * i, 4);
    } else {
      double d;
      std::memcpy(&d, data + 8 * i, 8);
      // Values beyond the float range would become infinities.
      values[i] = std::fabs(d) <= std::numeric_limits<float>::max()
                      ? static_cast<float>(d)
                      : std::numeric_limits<float>::infinity();
    }
    if (!std::isfinite(values[i]))
      return fail("holds a non-finite value (or one beyond the float range) "
                  "at row " +
                  std::to_string(i / cols) + ", column " +
                  std::to_string(i % cols));
  }
  out.rows = rows;
  out.cols = cols;
  out.data = std::move(values);
  return true;
}

bool readNpyMatrix(const std::string &path, NpyMatrix &out,
                   std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open '" + path + "'";
    return false;
  }
  std::string bytes((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());
  if (in.bad()) {
    error = "cannot read '" + path + "'";
    return false;
  }
  return parseNpyMatrix(bytes, path, out, error);
}

} // namespace mmfree::numerics
