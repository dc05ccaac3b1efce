//===- OneDnn.cpp - oneDNN matmuls as mmfree-bench baselines --------------===//

#include "OneDnn.h"

#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <dlfcn.h>
#include <vector>

namespace mmfree {

struct OneDnnMatmul::State {
  dnnl_engine_t engine = nullptr;
  dnnl_stream_t stream = nullptr;
  dnnl_primitive_desc_t desc = nullptr;
  dnnl_primitive_t matmul = nullptr;
  dnnl_memory_t src = nullptr, weights = nullptr, dst = nullptr;
  std::vector<int8_t> srcBytes;
  std::vector<float> srcFloats;

  ~State() {
    for (dnnl_memory_t m : {src, weights, dst})
      if (m)
        dnnl_memory_destroy(m);
    if (matmul)
      dnnl_primitive_destroy(matmul);
    if (desc)
      dnnl_primitive_desc_destroy(desc);
    if (stream)
      dnnl_stream_destroy(stream);
    if (engine)
      dnnl_engine_destroy(engine);
  }
};

/// False after printing `what` and oneDNN's status.
static bool ok(dnnl_status_t status, const char *what) {
  if (status == dnnl_success)
    return true;
  std::fprintf(stderr, "mmfree-bench: oneDNN %s failed (status %d)\n", what,
               int(status));
  return false;
}

/// `w` (N x K, row-major) reordered into `to`, the layout `desc` prefers.
static bool packWeights(OneDnnMatmul::State &s, const dnnl_memory_desc_t *to,
                        int64_t n, int64_t k, void *w, dnnl_data_type_t type) {
  dnnl_dims_t dims = {k, n};
  dnnl_memory_desc_t userDesc;
  dnnl_memory_t user = nullptr;
  dnnl_primitive_desc_t reorderDesc = nullptr;
  dnnl_primitive_t reorder = nullptr;
  // N x K row-major is K x N with the dimensions swapped ("ba").
  bool done =
      ok(dnnl_memory_desc_init_by_tag(&userDesc, 2, dims, type, dnnl_ba),
         "weight descriptor") &&
      ok(dnnl_memory_create(&user, &userDesc, s.engine, w), "weight memory") &&
      ok(dnnl_memory_create(&s.weights, to, s.engine, DNNL_MEMORY_ALLOCATE),
         "packed weights") &&
      ok(dnnl_reorder_primitive_desc_create(&reorderDesc, &userDesc, s.engine,
                                            to, s.engine, nullptr),
         "reorder descriptor") &&
      ok(dnnl_primitive_create(&reorder, reorderDesc), "reorder");
  if (done) {
    dnnl_exec_arg_t args[] = {{DNNL_ARG_FROM, user}, {DNNL_ARG_TO, s.weights}};
    done = ok(dnnl_primitive_execute(reorder, s.stream, 2, args), "reorder") &&
           ok(dnnl_stream_wait(s.stream), "reorder");
  }
  if (reorder)
    dnnl_primitive_destroy(reorder);
  if (reorderDesc)
    dnnl_primitive_desc_destroy(reorderDesc);
  if (user)
    dnnl_memory_destroy(user);
  return done;
}

/// libgomp's omp_set_num_threads (oneDNN's runtime), looked up by name: the
/// process also holds LLVM's OpenMP runtime, which exports the same name.
static void setOneDnnThreads(int threads) {
  using SetThreads = void (*)(int);
  static SetThreads set = [] {
    void *gomp = dlopen("libgomp.so.1", RTLD_LAZY | RTLD_NOLOAD);
    return gomp ? reinterpret_cast<SetThreads>(
                      dlsym(gomp, "omp_set_num_threads"))
                : nullptr;
  }();
  if (set)
    set(threads);
}

OneDnnMatmul::OneDnnMatmul(std::unique_ptr<State> state)
    : state(std::move(state)) {}

OneDnnMatmul::~OneDnnMatmul() = default;

std::unique_ptr<OneDnnMatmul> OneDnnMatmul::create(int64_t m, int64_t n,
                                                   int64_t k, const float *x,
                                                   const float *w, bool int8) {
  auto s = std::make_unique<State>();
  dnnl_data_type_t type = int8 ? dnnl_s8 : dnnl_f32;
  std::vector<int8_t> wBytes;
  std::vector<float> wFloats;
  void *wData;
  if (int8) {
    s->srcBytes.resize(m * k);
    for (int64_t r = 0; r < m; ++r) {
      float max = 0;
      for (int64_t c = 0; c < k; ++c)
        max = std::max(max, std::fabs(x[r * k + c]));
      float q = 127.f / std::max(max, 1e-5f);
      for (int64_t c = 0; c < k; ++c)
        s->srcBytes[r * k + c] =
            int8_t(std::clamp(std::nearbyint(x[r * k + c] * q), -128.f, 127.f));
    }
    wBytes.assign(w, w + n * k);
    wData = wBytes.data();
  } else {
    s->srcFloats.assign(x, x + m * k);
    wFloats.assign(w, w + n * k);
    wData = wFloats.data();
  }
  void *srcData = int8 ? static_cast<void *>(s->srcBytes.data())
                       : static_cast<void *>(s->srcFloats.data());
  dnnl_dims_t srcDims = {m, k}, weightDims = {k, n}, dstDims = {m, n};
  dnnl_memory_desc_t srcDesc, weightDesc, dstDesc;
  dnnl_matmul_desc_t matmulDesc;
  if (!ok(dnnl_engine_create(&s->engine, dnnl_cpu, 0), "engine") ||
      !ok(dnnl_stream_create(&s->stream, s->engine, dnnl_stream_default_flags),
          "stream") ||
      !ok(dnnl_memory_desc_init_by_tag(&srcDesc, 2, srcDims, type, dnnl_ab),
          "source descriptor") ||
      !ok(dnnl_memory_desc_init_by_tag(&weightDesc, 2, weightDims, type,
                                       dnnl_format_tag_any),
          "weight descriptor") ||
      !ok(dnnl_memory_desc_init_by_tag(&dstDesc, 2, dstDims,
                                       int8 ? dnnl_s32 : dnnl_f32, dnnl_ab),
          "result descriptor") ||
      !ok(dnnl_matmul_desc_init(&matmulDesc, &srcDesc, &weightDesc, nullptr,
                                &dstDesc),
          "matmul descriptor") ||
      !ok(dnnl_primitive_desc_create(&s->desc, &matmulDesc, nullptr, s->engine,
                                     nullptr),
          "matmul primitive descriptor") ||
      !ok(dnnl_primitive_create(&s->matmul, s->desc), "matmul") ||
      !packWeights(
          *s, dnnl_primitive_desc_query_md(s->desc, dnnl_query_weights_md, 0),
          n, k, wData, type) ||
      !ok(dnnl_memory_create(&s->src, &srcDesc, s->engine, srcData),
          "source memory") ||
      !ok(dnnl_memory_create(&s->dst, &dstDesc, s->engine,
                             DNNL_MEMORY_ALLOCATE),
          "result memory"))
    return nullptr;
  return std::unique_ptr<OneDnnMatmul>(new OneDnnMatmul(std::move(s)));
}

void OneDnnMatmul::run(int threads) {
  setOneDnnThreads(threads);
  dnnl_exec_arg_t args[] = {{DNNL_ARG_SRC, state->src},
                            {DNNL_ARG_WEIGHTS, state->weights},
                            {DNNL_ARG_DST, state->dst}};
  dnnl_primitive_execute(state->matmul, state->stream, 3, args);
  dnnl_stream_wait(state->stream);
}

std::string OneDnnMatmul::implementation() const {
  const char *name = nullptr;
  dnnl_primitive_desc_query(state->desc, dnnl_query_impl_info_str, 0, &name);
  return name ? name : "?";
}

} // namespace mmfree
