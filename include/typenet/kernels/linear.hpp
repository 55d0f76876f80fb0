#pragma once
// Fully connected layer: out[n][o] = bias[o] + sum_i weight[o][i] * in[n][i], weight [out][in]
// (PyTorch order, used as is). Memory-bound at small batch: parts split the output rows, so each
// part streams only its slice of the weights; each weight row is read once for up to 4 images.
// The weights are prefetched 8 KiB ahead, one line per line: they come from DRAM every pass
// (ResNeXt-50's 8 MB classifier, 100 MB of weights before it), and the hardware prefetcher alone
// reached ~12 GB/s on one Zen 5 core (0.65 -> 0.43 ms cold). The tile is compiled per image count
// (1-4), so that batch 1 does one FMA per weight vector: the first version's four (one row of x
// repeated) took 0.55 ms for that 8 MB against 0.25-0.29 with this loop (cold weights, one core).
#include <algorithm>

#include <typenet/kernels/elementwise.hpp>
#include <typenet/kernels/geometry.hpp>

namespace typenet::kernels {
namespace detail {

// Rows [o0, o1) for NN images at x (in_features apart); U vectors per step, one prefetch each,
// never past `last` (the part's last weight: the prefetches run on across strips).
template <int NN>
inline void linear_rows(int in_features, int out_features, const float* x, const float* weight, const float* bias,
                        float* out, int o0, int o1, const float* last) {
  constexpr int L = vlanes, U = 4;
  constexpr long ahead = 2048;  // floats
  const int nv = in_features / (U * L) * (U * L), n1 = in_features / L * L;
  for (int o = o0; o < o1; ++o) {
    const float* w = weight + long(o) * in_features;
    vecf acc[NN][U] = {};
    int i = 0;
    for (; i < nv; i += U * L) {
#pragma GCC unroll 4
      for (int u = 0; u < U; ++u) {
        __builtin_prefetch(std::min(w + i + ahead + u * L, last), 0, 0);
        const vecf wv = loadv(w + i + u * L);
#pragma GCC unroll 4
        for (int k = 0; k < NN; ++k) acc[k][u] += wv * loadv(x + long(k) * in_features + i + u * L);
      }
    }
    for (; i < n1; i += L) {
      const vecf wv = loadv(w + i);
#pragma GCC unroll 4
      for (int k = 0; k < NN; ++k) acc[k][0] += wv * loadv(x + long(k) * in_features + i);
    }
    for (int k = 0; k < NN; ++k) {
      float s = hsum((acc[k][0] + acc[k][1]) + (acc[k][2] + acc[k][3]));
      for (int t = n1; t < in_features; ++t) s += w[t] * x[long(k) * in_features + t];
      out[long(k) * out_features + o] = s + (bias ? bias[o] : 0.0f);
    }
  }
}

}  // namespace detail

inline void linear(int in_features, int out_features, const float* in, const float* weight,
                   const float* bias, float* out, int batch, part p = {}) {
  const int o0 = p.begin(out_features), o1 = p.end(out_features);
  // Each weight row is read once for up to 4 images; beyond 4, strips of rows (64 KiB) stay in
  // L2 across the batch's groups of 4.
  const int strip = std::max(1, 16384 / std::max(1, in_features));
  const float* const last = weight + std::max(0L, long(o1) * in_features - 1);
  for (int s0 = o0; s0 < o1; s0 += strip) {
    const int s1 = std::min(o1, s0 + strip);
    for (int n0 = 0; n0 < batch; n0 += 4) {
      const float* x = in + long(n0) * in_features;
      float* y = out + long(n0) * out_features;
      switch (std::min(4, batch - n0)) {
        case 1: detail::linear_rows<1>(in_features, out_features, x, weight, bias, y, s0, s1, last); break;
        case 2: detail::linear_rows<2>(in_features, out_features, x, weight, bias, y, s0, s1, last); break;
        case 3: detail::linear_rows<3>(in_features, out_features, x, weight, bias, y, s0, s1, last); break;
        default: detail::linear_rows<4>(in_features, out_features, x, weight, bias, y, s0, s1, last);
      }
    }
  }
}

}  // namespace typenet::kernels
