#pragma once
// Folding an inference batch norm into the convolution (or linear layer) before it, at load time:
//   bn(conv(x) + b) = conv'(x) + b'   with  scale = gamma / sqrt(var + eps),
//   w' = w * scale[co],  b' = beta + (b - mean) * scale   (b = 0 when the conv has no bias).
#include <cmath>

namespace typenet::kernels {

// weight: [out_c][weight_per_out_c], scaled in place; bias_out: [out_c], written.
// conv_bias: the layer's own bias, or nullptr (torchvision's convs before a BN have none).
// bias_out may be the same pointer as conv_bias.
inline void fold_batch_norm(int out_c, long weight_per_out_c, float* weight, float* bias_out,
                            const float* gamma, const float* beta, const float* mean,
                            const float* var, float eps, const float* conv_bias = nullptr) {
  for (int c = 0; c < out_c; ++c) {
    const double scale = double(gamma[c]) / std::sqrt(double(var[c]) + double(eps));
    float* w = weight + c * weight_per_out_c;
    for (long i = 0; i < weight_per_out_c; ++i) w[i] = float(double(w[i]) * scale);
    const double b = conv_bias ? double(conv_bias[c]) : 0.0;
    bias_out[c] = float(double(beta[c]) + (b - double(mean[c])) * scale);
  }
}

}  // namespace typenet::kernels
