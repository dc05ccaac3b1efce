//===- NpyTest.cpp - the .npy reader on well-formed and hostile bytes -----===//

#include "mmfree/Numerics/Npy.h"

#include <cstring>
#include <limits>

#include <gtest/gtest.h>

using namespace mmfree::numerics;

/// A version-1 .npy file with `header` (padded as NumPy does) and raw data.
static std::string npy(const std::string &header, const std::string &data,
                       char major = 1) {
  std::string dict = header;
  size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + dict.size() + 1) % 64)
    dict += ' ';
  dict += '\n';
  std::string bytes = "\x93NUMPY";
  bytes += major;
  bytes += '\0';
  uint32_t len = dict.size();
  for (size_t i = 0; i < (major == 1 ? 2u : 4u); ++i)
    bytes += char(len >> (8 * i) & 0xff);
  return bytes + dict + data;
}

static std::string floats(std::initializer_list<float> values) {
  std::string data(values.size() * 4, '\0');
  std::memcpy(data.data(), values.begin(), data.size());
  return data;
}

static std::string f32Header(const std::string &shape) {
  return "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
}

/// The error for `bytes`, or "" when they parse.
static std::string errorFor(const std::string &bytes) {
  NpyMatrix m;
  std::string error;
  return parseNpyMatrix(bytes, "x.npy", m, error) ? "" : error;
}

namespace {

TEST(Npy, ReadsFloat32AndFloat64) {
  NpyMatrix m;
  std::string error;
  ASSERT_TRUE(parseNpyMatrix(npy(f32Header("(2, 2)"), floats({1, 2, 3, 4})),
                             "x.npy", m, error))
      << error;
  EXPECT_EQ(m.rows, 2);
  EXPECT_EQ(m.cols, 2);
  EXPECT_EQ(m.data, (std::vector<float>{1, 2, 3, 4}));

  double d[3] = {0.5, -1.25, 3};
  std::string data(24, '\0');
  std::memcpy(data.data(), d, 24);
  ASSERT_TRUE(parseNpyMatrix(
      npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 3), }", data,
          /*major=*/2),
      "x.npy", m, error))
      << error;
  EXPECT_EQ(m.data, (std::vector<float>{0.5f, -1.25f, 3.f}));
}

TEST(Npy, RejectsWhatItCannotRepresent) {
  EXPECT_NE(errorFor("not numpy").find("is not a .npy file"),
            std::string::npos);
  EXPECT_NE(errorFor(npy(f32Header("(2, 3, 4)"), "")).find("not a 2-D array"),
            std::string::npos);
  EXPECT_NE(
      errorFor(
          npy("{'descr': '<i4', 'fortran_order': False, 'shape': (1, 1), }",
              floats({1})))
          .find("expected little-endian float32 or float64"),
      std::string::npos);
  EXPECT_NE(
      errorFor(
          npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1, 1), }",
              floats({1})))
          .find("expected little-endian"),
      std::string::npos);
  // A 20-digit dtype width or dimension is an error, not an exception.
  EXPECT_NE(errorFor(npy("{'descr': '<f99999999999999999999', "
                         "'fortran_order': False, 'shape': (1, 1), }",
                         floats({1})))
                .find("expected little-endian"),
            std::string::npos);
  EXPECT_NE(errorFor(npy(f32Header("(99999999999999999999, 1)"), floats({1})))
                .find("shape too large"),
            std::string::npos);
  EXPECT_NE(
      errorFor(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 1), }",
                   floats({1})))
          .find("Fortran order"),
      std::string::npos);
}

TEST(Npy, RejectsEmptyArrays) {
  EXPECT_NE(errorFor(npy(f32Header("(0, 4)"), "")).find("has shape (0, 4)"),
            std::string::npos);
  EXPECT_NE(errorFor(npy(f32Header("(3, 0)"), "")).find("has shape (3, 0)"),
            std::string::npos);
}

TEST(Npy, NeverReadsOrAllocatesBeyondTheData) {
  // Shapes whose product overflows, or exceeds the bytes present.
  EXPECT_NE(errorFor(npy(f32Header("(4294967296, 4294967296)"), floats({1})))
                .find("ends before its"),
            std::string::npos);
  EXPECT_NE(errorFor(npy(f32Header("(9223372036854775807, 2)"), floats({1})))
                .find("ends before its"),
            std::string::npos);
  EXPECT_NE(errorFor(npy(f32Header("(2, 2)"), floats({1, 2, 3})))
                .find("ends before its 2 x 2 values"),
            std::string::npos);
  // A header length beyond the file, and a huge one.
  std::string file = npy(f32Header("(1, 1)"), floats({1}));
  std::string truncated = file.substr(0, 40);
  EXPECT_NE(errorFor(truncated).find("truncated .npy header"),
            std::string::npos);
  std::string huge = file;
  huge[6] = 2;
  huge.insert(10, 2, '\xff');
  huge[8] = huge[9] = huge[10] = huge[11] = '\xff';
  EXPECT_NE(errorFor(huge).find("at most 65536 are accepted"),
            std::string::npos);
  EXPECT_NE(errorFor(file.substr(0, 9)).find("is not a .npy file"),
            std::string::npos);
  std::string version = file;
  version[6] = 9;
  EXPECT_NE(errorFor(version).find("format version 9"), std::string::npos);
}

TEST(Npy, RejectsNonFiniteValues) {
  float nan = std::numeric_limits<float>::quiet_NaN();
  float inf = std::numeric_limits<float>::infinity();
  EXPECT_NE(errorFor(npy(f32Header("(2, 2)"), floats({1, 2, nan, 4})))
                .find("non-finite value (or one beyond the float range) at "
                      "row 1, column 0"),
            std::string::npos);
  EXPECT_NE(errorFor(npy(f32Header("(1, 2)"), floats({1, -inf})))
                .find("at row 0, column 1"),
            std::string::npos);
  double big = 1e300;
  std::string data(8, '\0');
  std::memcpy(data.data(), &big, 8);
  EXPECT_NE(
      errorFor(
          npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }",
              data))
          .find("beyond the float range"),
      std::string::npos);
}

TEST(Npy, NamesTheFileItCannotOpen) {
  NpyMatrix m;
  std::string error;
  EXPECT_FALSE(readNpyMatrix("/nonexistent/calib.npy", m, error));
  EXPECT_EQ(error, "cannot open '/nonexistent/calib.npy'");
}

} // namespace
