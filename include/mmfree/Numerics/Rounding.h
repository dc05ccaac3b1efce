//===- Rounding.h - float to small integer conversions ----------*- C++ -*-===//

#ifndef MMFREE_NUMERICS_ROUNDING_H
#define MMFREE_NUMERICS_ROUNDING_H

#include <algorithm>
#include <cmath>

namespace mmfree::numerics {

/// `v` rounded to nearest even and clamped to [lo, hi]; NaN gives 0. Casting
/// the result to an integer type holding [lo, hi] is defined for every `v`
/// (a NaN or out-of-range float cast to an integer is undefined behaviour).
inline float roundClamped(float v, float lo, float hi) {
  if (std::isnan(v))
    return 0.f;
  return std::clamp(std::nearbyint(v), lo, hi);
}

} // namespace mmfree::numerics

#endif // MMFREE_NUMERICS_ROUNDING_H
