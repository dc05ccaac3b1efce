//===- Harness.h - one structured fuzz case ---------------------*- C++ -*-===//

#ifndef MMFREE_TOOLS_FUZZ_HARNESS_H
#define MMFREE_TOOLS_FUZZ_HARNESS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>

namespace mmfree::fuzz {

/// How a case ended when it found nothing (findings abort the process).
enum class Outcome { Rejected, BadOptions, Diagnosed, Compiled };

/// Decodes `bytes` into a case (IR, pipeline, options or .npy bytes), runs
/// it and checks it: aborts with the case printed on a finding.
Outcome runCase(llvm::ArrayRef<uint8_t> bytes);

llvm::StringRef outcomeName(Outcome o);

/// Print each case's IR and pipeline to stdout before it runs.
void setPrintCases(bool print);

} // namespace mmfree::fuzz

#endif // MMFREE_TOOLS_FUZZ_HARNESS_H
