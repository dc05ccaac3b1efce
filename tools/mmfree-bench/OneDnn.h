//===- OneDnn.h - oneDNN matmuls as mmfree-bench baselines ------*- C++ -*-===//
//
// One nn.Linear layer (M x K activations, N x K weights) as oneDNN runs it:
// an f32 matmul, or an int8 one (s8 activations x s8 weights -> s32, as a
// quantized inference library computes the same product), with the weights
// reordered once into the layout oneDNN prefers for the machine.
//
//===----------------------------------------------------------------------===//

#ifndef MMFREE_TOOLS_MMFREE_BENCH_ONEDNN_H
#define MMFREE_TOOLS_MMFREE_BENCH_ONEDNN_H

#include <cstdint>
#include <memory>
#include <string>

namespace mmfree {

class OneDnnMatmul {
public:
  /// f32: `x` and `w` as given; int8: both rounded to s8 (`w` holds
  /// ternary values, `x` is quantized per row by its absolute maximum).
  /// Null after printing oneDNN's error.
  static std::unique_ptr<OneDnnMatmul> create(int64_t m, int64_t n, int64_t k,
                                              const float *x, const float *w,
                                              bool int8);
  ~OneDnnMatmul();

  /// One product on `threads` threads (oneDNN's OpenMP runtime).
  void run(int threads);

  /// The kernel oneDNN chose (e.g. "brg:avx512_core_vnni").
  std::string implementation() const;

  struct State;

private:
  explicit OneDnnMatmul(std::unique_ptr<State> state);
  std::unique_ptr<State> state;
};

} // namespace mmfree

#endif // MMFREE_TOOLS_MMFREE_BENCH_ONEDNN_H
