//===- mmfree-fuzz.cpp - replay a corpus or run a seeded fuzz loop --------===//
//
//   mmfree-fuzz FILE|DIR...                 replay cases (the ctest run)
//   mmfree-fuzz --seconds=S --seed=N [--corpus=DIR] [--save=DIR]
//                                           mutate corpus entries and random
//                                           bytes for S seconds
//
// Each case is written to DIR/current.bin (or a temporary file) before it
// runs: on a finding the process aborts and that file is the reproducer.
// With libFuzzer (clang -fsanitize=fuzzer) Harness.cpp alone is the fuzz
// target; this driver needs no fuzzing runtime.
//
//===----------------------------------------------------------------------===//

#include "Harness.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <csignal>
#include <fstream>
#include <map>
#include <random>
#include <unistd.h>

using namespace llvm;
using namespace mmfree::fuzz;

static cl::OptionCategory category("mmfree-fuzz options");
static cl::list<std::string> inputs(cl::Positional, cl::desc("[FILE|DIR...]"),
                                    cl::cat(category));
static cl::opt<unsigned> seconds("seconds",
                                 cl::desc("Fuzz for this long (0: replay)"),
                                 cl::init(0), cl::cat(category));
static cl::opt<unsigned> seed("seed", cl::desc("Random seed of the loop"),
                              cl::init(1), cl::cat(category));
static cl::opt<std::string>
    corpus("corpus", cl::desc("Directory of cases to start the mutations from"),
           cl::cat(category));
static cl::opt<std::string>
    saveDir("save",
            cl::desc("Directory for current.bin and new cases of outcomes "
                     "not seen before"),
            cl::cat(category));

static cl::opt<bool> print("print",
                           cl::desc("Print each case's IR and pipeline"),
                           cl::cat(category));

static cl::opt<unsigned>
    caseSeconds("case-seconds",
                cl::desc("A case running longer is a finding (a hang)"),
                cl::init(30), cl::cat(category));

using Bytes = std::vector<uint8_t>;

static void onHang(int) {
  const char msg[] = "mmfree-fuzz: FINDING: a case ran over --case-seconds "
                     "(see current.bin)\n";
  (void)!write(2, msg, sizeof(msg) - 1);
  _exit(1);
}

/// Runs one case under the hang watchdog.
static Outcome runGuarded(const Bytes &bytes) {
  alarm(caseSeconds);
  Outcome o = runCase(bytes);
  alarm(0);
  return o;
}

static void collect(StringRef path, std::vector<std::string> &files) {
  if (!sys::fs::is_directory(path)) {
    files.push_back(path.str());
    return;
  }
  std::error_code ec;
  for (sys::fs::directory_iterator it(path, ec), end; it != end && !ec;
       it.increment(ec))
    if (sys::fs::is_regular_file(it->path()))
      files.push_back(it->path());
  llvm::sort(files);
}

static bool readBytes(StringRef path, Bytes &out) {
  auto buffer = MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    return false;
  StringRef data = (*buffer)->getBuffer();
  out.assign(data.begin(), data.end());
  return true;
}

static void writeBytes(StringRef path, const Bytes &bytes) {
  std::ofstream(path.str(), std::ios::binary)
      .write(reinterpret_cast<const char *>(bytes.data()), bytes.size());
}

/// One of: flip a byte, insert, erase, splice from another case, or fresh
/// random bytes.
static Bytes mutate(const std::vector<Bytes> &pool, std::mt19937_64 &rng) {
  auto rnd = [&](size_t n) { return n ? size_t(rng() % n) : 0; };
  if (pool.empty() || rnd(8) == 0) {
    Bytes fresh(1 + rnd(64));
    for (uint8_t &b : fresh)
      b = uint8_t(rng());
    return fresh;
  }
  Bytes b = pool[rnd(pool.size())];
  for (size_t edits = 1 + rnd(4); edits; --edits) {
    switch (rnd(4)) {
    case 0:
      if (!b.empty())
        b[rnd(b.size())] = uint8_t(rng());
      break;
    case 1:
      b.insert(b.begin() + rnd(b.size() + 1), uint8_t(rng()));
      break;
    case 2:
      if (!b.empty())
        b.erase(b.begin() + rnd(b.size()));
      break;
    default: {
      const Bytes &other = pool[rnd(pool.size())];
      size_t at = rnd(b.size() + 1);
      b.resize(at);
      b.insert(b.end(), other.begin() + rnd(other.size() + 1), other.end());
    }
    }
  }
  return b;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv); // stack traces on crashes
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "mmfree structured fuzzer\n");
  setPrintCases(print);
  std::signal(SIGALRM, onHang);
  std::map<Outcome, unsigned> counts;
  std::string current =
      saveDir.empty() ? std::string() : saveDir + "/current.bin";

  if (seconds == 0) {
    std::vector<std::string> files;
    for (const std::string &in : inputs)
      collect(in, files);
    if (files.empty()) {
      errs() << "mmfree-fuzz: no cases to replay (give files or "
                "directories, or --seconds)\n";
      return 1;
    }
    for (const std::string &file : files) {
      Bytes bytes;
      if (!readBytes(file, bytes)) {
        errs() << "mmfree-fuzz: cannot read '" << file << "'\n";
        return 1;
      }
      ++counts[runGuarded(bytes)];
    }
    outs() << "mmfree-fuzz: replayed " << files.size() << " cases\n";
  } else {
    std::vector<Bytes> pool;
    std::vector<std::string> files;
    if (!corpus.empty())
      collect(corpus, files);
    for (const std::string &file : files) {
      Bytes bytes;
      if (readBytes(file, bytes))
        pool.push_back(std::move(bytes));
    }
    std::mt19937_64 rng(seed);
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    unsigned runs = 0, saved = 0;
    std::map<std::pair<unsigned, Outcome>, bool> seen;
    while (std::chrono::steady_clock::now() < end) {
      Bytes bytes = mutate(pool, rng);
      if (!current.empty())
        writeBytes(current, bytes);
      Outcome o = runGuarded(bytes);
      ++counts[o];
      ++runs;
      // New (first byte's case kind and shape choice, outcome) pairs join
      // the pool and, with --save, the corpus.
      unsigned shape =
          bytes.empty()
              ? 0
              : (bytes[0] % 4) * 16 + (bytes.size() > 1 ? bytes[1] % 16 : 0);
      if (!seen[{shape, o}]) {
        seen[{shape, o}] = true;
        pool.push_back(bytes);
        if (!saveDir.empty())
          writeBytes(
              (saveDir + "/case-" + Twine(seed) + "-" + Twine(saved++) + ".bin")
                  .str(),
              bytes);
      }
    }
    outs() << "mmfree-fuzz: " << runs << " cases in " << seconds << " s (seed "
           << seed << "), no finding\n";
  }
  for (auto [outcome, n] : counts)
    outs() << "  " << n << " " << outcomeName(outcome) << "\n";
  return 0;
}
