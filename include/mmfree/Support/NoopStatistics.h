//===- NoopStatistics.h - llvm::Statistic as libMLIR has it -*- C++ -*-===//
//
// Force-included into every C++ file (see CMakeLists.txt). Our code keeps
// its assertions (-UNDEBUG), but llvm/ADT/Statistic.h picks the layout of
// llvm::Statistic from NDEBUG: without this header our passes would lay out
// mlir::Pass::Statistic as TrackingStatistic while libMLIR (built with
// NDEBUG and LLVM_FORCE_ENABLE_STATS=0) constructs NoopStatistic, and every
// increment would read fields nobody initialized (UBSan reports it).
// Statistic.h is included once here with NDEBUG set, so both agree.
//
//===----------------------------------------------------------------------===//

#ifndef MMFREE_SUPPORT_NOOPSTATISTICS_H
#define MMFREE_SUPPORT_NOOPSTATISTICS_H

#ifndef NDEBUG
#define NDEBUG
#define MMFREE_RESTORE_ASSERTIONS
#endif
#include "llvm/ADT/Statistic.h"
#ifdef MMFREE_RESTORE_ASSERTIONS
#undef NDEBUG
#undef MMFREE_RESTORE_ASSERTIONS
#endif
// Re-read with NDEBUG unset: assert() is live again.
#include <cassert>

#endif // MMFREE_SUPPORT_NOOPSTATISTICS_H
