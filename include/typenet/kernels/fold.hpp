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

// Both steps for a batch norm. conv_bias: the layer's own bias, or nullptr (torchvision's convs
// before a BN have none); bias_out is written and may be the same pointer as conv_bias.
inline void fold_batch_norm(int out_c, long weight_per_out_c, float* weight, float* bias_out, const float* gamma,
                            const float* beta, const float* mean, const float* var, float eps,
                            const float* conv_bias = nullptr) {
  for (int c = 0; c < out_c; ++c) {
    double scale, shift;
    batch_norm_scale_shift(1, gamma + c, beta + c, mean + c, var + c, eps, &scale, &shift);
    bias_out[c] = conv_bias ? conv_bias[c] : 0.0f;
    fold_affine(1, weight_per_out_c, weight + c * weight_per_out_c, bias_out + c, &scale, &shift);
  }
}

}  // namespace typenet::kernels
