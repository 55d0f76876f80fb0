#pragma once
// Fully connected layer: out[n][o] = bias[o] + sum_i weight[o][i] * in[n][i], weight [out][in]
// (PyTorch order, used as is). Memory-bound at small batch: parts split the output rows, so each
// part streams only its slice of the weights; each weight row is read once for up to 4 images.
// The weights are prefetched 8 KiB ahead: they come from DRAM every pass (ResNeXt-50's 8 MB
// classifier, 100 MB of weights before it), and the hardware prefetcher alone reached ~12 GB/s
// on one Zen 5 core (0.65 -> 0.43 ms cold).
#include <algorithm>

#include <typenet/kernels/elementwise.hpp>
#include <typenet/kernels/geometry.hpp>

namespace typenet::kernels {

inline void linear(int in_features, int out_features, const float* in, const float* weight,
                   const float* bias, float* out, int batch, part p = {}) {
  using detail::vecf;
  constexpr int L = detail::vlanes;
  const int o0 = p.begin(out_features), o1 = p.end(out_features);
  const int nv = in_features / L * L;
  constexpr long ahead = 2048;  // floats
  const float* const last = weight + std::max(0L, long(o1) * in_features - 1);  // this part's last weight
  for (int o = o0; o < o1; ++o) {
    const float* w = weight + long(o) * in_features;
    const float b = bias ? bias[o] : 0.0f;
    for (int n0 = 0; n0 < batch; n0 += 4) {
      const int nn = std::min(4, batch - n0);
      const float* x[4];
      for (int k = 0; k < 4; ++k) x[k] = in + long(n0 + std::min(k, nn - 1)) * in_features;
      vecf acc[4][2] = {};
      int i = 0;
      for (; i + 2 * L <= nv; i += 2 * L) {
        if (n0 == 0) {
          __builtin_prefetch(std::min(w + i + ahead, last), 0, 0);
          __builtin_prefetch(std::min(w + i + ahead + L, last), 0, 0);
        }
        const vecf w0 = detail::loadv(w + i), w1 = detail::loadv(w + i + L);
#pragma GCC unroll 4
        for (int k = 0; k < 4; ++k) {
          acc[k][0] += w0 * detail::loadv(x[k] + i);
          acc[k][1] += w1 * detail::loadv(x[k] + i + L);
        }
      }
      for (; i < nv; i += L) {
        const vecf w0 = detail::loadv(w + i);
#pragma GCC unroll 4
        for (int k = 0; k < 4; ++k) acc[k][0] += w0 * detail::loadv(x[k] + i);
      }
      for (int k = 0; k < nn; ++k) {
        float s = detail::hsum(acc[k][0] + acc[k][1]);
        for (int t = nv; t < in_features; ++t) s += w[t] * x[k][t];
        out[long(n0 + k) * out_features + o] = s + b;
      }
    }
  }
}

}  // namespace typenet::kernels
