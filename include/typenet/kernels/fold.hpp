#pragma once
// Folding a per-channel affine y = x * scale[c] + shift[c] (an inference batch norm) into the
// convolution (or linear layer) before it, at set-up:
//   w' = w * scale[co],  b' = b * scale[co] + shift[co]   (b = 0 when the conv has no bias),
// with scale = gamma / sqrt(var + eps) and shift = beta - mean * scale for a batch norm.
#include <cmath>

#include <typenet/kernels/geometry.hpp>

namespace typenet::kernels {

// A batch norm's scale and shift per channel, in double.
inline void batch_norm_scale_shift(int channels, const float* gamma, const float* beta, const float* mean, const float* var,
                                   float eps, double* scale, double* shift) {
  for (int c = 0; c < channels; ++c) {
    scale[c] = double(gamma[c]) / std::sqrt(double(var[c]) + double(eps));
    shift[c] = double(beta[c]) - double(mean[c]) * scale[c];
  }
}

// weight: [out_c][weight_per_out_c] and bias: [out_c], both scaled in place.
inline void fold_affine(int out_c, long weight_per_out_c, float* weight, float* bias, const double* scale, const double* shift) {
  for (int c = 0; c < out_c; ++c) {
    float* w = weight + c * weight_per_out_c;
    for (long i = 0; i < weight_per_out_c; ++i) w[i] = float(double(w[i]) * scale[c]);
    bias[c] = float(double(bias[c]) * scale[c] + shift[c]);
  }
}

// A squeeze-excitation gate folded into the 1x1 convolution after it, W (g . x) = (W diag(g)) x:
// out = packed with input channel ci's weights times gate[ci]. packed is [blocks][in_c][R] (a
// packed dense 1x1 conv, kernels/conv2d.hpp); part p scales its share of the blocks x in_c rows.
inline void scale_weight_columns(long blocks, int in_c, int R, const float* packed, const float* gate, float* out, part p = {}) {
  const long rows = blocks * in_c;
  for (long r = rows * p.index / p.count, end = rows * (p.index + 1) / p.count; r < end; ++r) {
    const float g = gate[r % in_c];
    for (int k = 0; k < R; ++k) out[r * R + k] = packed[r * R + k] * g;
  }
}

}  // namespace typenet::kernels
