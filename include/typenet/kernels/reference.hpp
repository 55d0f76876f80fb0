#pragma once
// Reference kernels: plain, obviously-correct loops, single-threaded, NCHW float32. They are the
// oracle the fast kernels are tested against; never optimise them.
#include <algorithm>
#include <cmath>
#include <limits>

#include <typenet/kernels/geometry.hpp>

namespace typenet::kernels::reference {

// Grouped, strided, zero-padded 2-D convolution of `batch` images.
// weight: [out_c][in_c / groups][kernel_h][kernel_w]; bias: [out_c] or nullptr.
inline void conv2d(const conv_geometry& g, const float* in, const float* weight, const float* bias, float* out,
            int batch) {
  const int icg = g.in_c_per_group(), ocg = g.out_c_per_group(), kh = g.kernel_h, kw = g.kernel_w;
  for (int n = 0; n < batch; ++n) {
    const float* x = in + n * g.in_size();
    float* y = out + n * g.out_size();
    for (int co = 0; co < g.out_c; ++co) {
      const int grp = co / ocg;
      for (int oy = 0; oy < g.out_h; ++oy)
        for (int ox = 0; ox < g.out_w; ++ox) {
          double acc = bias ? bias[co] : 0.0;
          for (int c = 0; c < icg; ++c) {
            const int ci = grp * icg + c;
            for (int ky = 0; ky < kh; ++ky) {
              const int iy = oy * g.stride_h + ky - g.pad_h;
              if (iy < 0 || iy >= g.in_h) continue;
              for (int kx = 0; kx < kw; ++kx) {
                const int ix = ox * g.stride_w + kx - g.pad_w;
                if (ix < 0 || ix >= g.in_w) continue;
                acc += double(x[(long(ci) * g.in_h + iy) * g.in_w + ix]) *
                       double(weight[((long(co) * icg + c) * kh + ky) * kw + kx]);
              }
            }
          }
          y[(long(co) * g.out_h + oy) * g.out_w + ox] = float(acc);
        }
    }
  }
}

// Inference batch norm with running statistics: out = (in - mean) / sqrt(var + eps) * gamma + beta.
inline void batch_norm(int channels, int spatial, const float* in, const float* gamma,
                       const float* beta, const float* mean, const float* var, float eps,
                       float* out, int batch) {
  for (int n = 0; n < batch; ++n)
    for (int c = 0; c < channels; ++c) {
      const long base = (long(n) * channels + c) * spatial;
      const double inv = 1.0 / std::sqrt(double(var[c]) + double(eps));
      for (int i = 0; i < spatial; ++i)
        out[base + i] = float((double(in[base + i]) - mean[c]) * inv * gamma[c] + beta[c]);
    }
}

inline void relu(long n, const float* in, float* out) {
  for (long i = 0; i < n; ++i) out[i] = in[i] > 0.0f ? in[i] : 0.0f;
}

inline void add(long n, const float* a, const float* b, float* out) {
  for (long i = 0; i < n; ++i) out[i] = a[i] + b[i];
}

// Max pooling; padding counts as -infinity and a window holding a NaN gives NaN (PyTorch
// semantics). Windows that hang off the input (ceil mode) are clipped.
inline void max_pool(const pool_geometry& g, const float* in, float* out, int batch) {
  for (int n = 0; n < batch; ++n)
    for (int c = 0; c < g.channels; ++c) {
      const float* x = in + (long(n) * g.channels + c) * g.in_h * g.in_w;
      float* y = out + (long(n) * g.channels + c) * g.out_h * g.out_w;
      for (int oy = 0; oy < g.out_h; ++oy)
        for (int ox = 0; ox < g.out_w; ++ox) {
          float m = -std::numeric_limits<float>::infinity();
          for (int ky = 0; ky < g.kernel_h; ++ky) {
            const int iy = oy * g.stride_h + ky - g.pad_h;
            if (iy < 0 || iy >= g.in_h) continue;
            for (int kx = 0; kx < g.kernel_w; ++kx) {
              const int ix = ox * g.stride_w + kx - g.pad_w;
              if (ix < 0 || ix >= g.in_w) continue;
              const float v = x[long(iy) * g.in_w + ix];
              if (v > m || std::isnan(v)) m = v;
              if (std::isnan(m)) break;
            }
            if (std::isnan(m)) break;
          }
          y[long(oy) * g.out_w + ox] = m;
        }
    }
}

// Average pooling, PyTorch's rule: the window [start, start + k) is first clipped to the padded
// input [-pad, in + pad), which gives the divisor when count_include_pad; then to the input
// [0, in), whose elements are summed (and counted when not count_include_pad).
inline void avg_pool(const pool_geometry& g, const float* in, float* out, int batch) {
  for (long plane = 0; plane < long(batch) * g.channels; ++plane) {
    const float* x = in + plane * g.in_h * g.in_w;
    float* y = out + plane * g.out_h * g.out_w;
    for (int oy = 0; oy < g.out_h; ++oy)
      for (int ox = 0; ox < g.out_w; ++ox) {
        int y0 = oy * g.stride_h - g.pad_h, x0 = ox * g.stride_w - g.pad_w;
        int y1 = std::min(y0 + g.kernel_h, g.in_h + g.pad_h), x1 = std::min(x0 + g.kernel_w, g.in_w + g.pad_w);
        const int padded = (y1 - y0) * (x1 - x0);
        y0 = std::max(y0, 0), x0 = std::max(x0, 0), y1 = std::min(y1, g.in_h), x1 = std::min(x1, g.in_w);
        double s = 0.0;
        for (int r = y0; r < y1; ++r)
          for (int c = x0; c < x1; ++c) s += x[long(r) * g.in_w + c];
        const int divisor = g.count_include_pad ? padded : (y1 - y0) * (x1 - x0);
        y[long(oy) * g.out_w + ox] = divisor > 0 ? float(s / divisor) : 0.0f;
      }
  }
}

// Mean over the spatial positions of each channel: out is [batch][channels].
inline void global_avg_pool(int channels, int spatial, const float* in, float* out, int batch) {
  for (int n = 0; n < batch; ++n)
    for (int c = 0; c < channels; ++c) {
      const float* x = in + (long(n) * channels + c) * spatial;
      double s = 0.0;
      for (int i = 0; i < spatial; ++i) s += x[i];
      out[long(n) * channels + c] = float(s / spatial);
    }
}

// Adaptive average pooling to out_h x out_w (PyTorch semantics): output cell (i, j) averages input
// rows [floor(i*H/oh), ceil((i+1)*H/oh)) and the same for columns.
inline void adaptive_avg_pool(int channels, int in_h, int in_w, int out_h, int out_w, const float* in, float* out, int batch) {
  for (long plane = 0; plane < long(batch) * channels; ++plane) {
    const float* x = in + plane * in_h * in_w;
    float* y = out + plane * out_h * out_w;
    for (int i = 0; i < out_h; ++i) {
      const int y0 = i * in_h / out_h, y1 = ((i + 1) * in_h + out_h - 1) / out_h;
      for (int j = 0; j < out_w; ++j) {
        const int x0 = j * in_w / out_w, x1 = ((j + 1) * in_w + out_w - 1) / out_w;
        double s = 0.0;
        for (int r = y0; r < y1; ++r)
          for (int c = x0; c < x1; ++c) s += x[long(r) * in_w + c];
        y[long(i) * out_w + j] = float(s / ((y1 - y0) * (x1 - x0)));
      }
    }
  }
}

// Fully connected: out[n][o] = bias[o] + sum_i weight[o][i] * in[n][i].
inline void linear(int in_features, int out_features, const float* in, const float* weight,
                   const float* bias, float* out, int batch) {
  for (int n = 0; n < batch; ++n)
    for (int o = 0; o < out_features; ++o) {
      double acc = bias ? bias[o] : 0.0;
      for (int i = 0; i < in_features; ++i)
        acc += double(weight[long(o) * in_features + i]) * double(in[long(n) * in_features + i]);
      out[long(n) * out_features + o] = float(acc);
    }
}

}  // namespace typenet::kernels::reference
