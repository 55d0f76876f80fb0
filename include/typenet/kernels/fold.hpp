#pragma once
// Folding a per-channel affine y = x * scale[c] + shift[c] (an inference batch norm) into the
// convolution (or linear layer) before it, at set-up:
//   w' = w * scale[co],  b' = b * scale[co] + shift[co]   (b = 0 when the conv has no bias),
// with scale = gamma / sqrt(var + eps) and shift = beta - mean * scale for a batch norm.
#include <cmath>

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

}  // namespace typenet::kernels
