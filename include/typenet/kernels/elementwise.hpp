#pragma once
// Elementwise kernels with parts: part p of count handles a contiguous, 16-float-aligned slice.
// in/out (or a/b/out) may be the same pointer.
#include <typenet/kernels/epilogue.hpp>
#include <typenet/kernels/geometry.hpp>
#include <typenet/kernels/simd.hpp>

namespace typenet::kernels {

namespace detail {

// [begin, end) of [0, n) owned by part p, cut at multiples of 16 floats.
inline void elementwise_range(long n, part p, long& begin, long& end) {
  const long blocks = (n + 15) / 16;
  begin = blocks * p.index / p.count * 16;
  end = blocks * (p.index + 1) / p.count * 16;
  if (end > n) end = n;
  if (begin > n) begin = n;
}

}  // namespace detail

// out = max(in, 0); NaN in, NaN out
inline void relu(long n, const float* in, float* out, part p = {}) {
  long i, e;
  detail::elementwise_range(n, p, i, e);
  for (; i + detail::vlanes <= e; i += detail::vlanes) detail::storev(out + i, detail::max0(detail::loadv(in + i)));
  for (; i < e; ++i) out[i] = detail::max0(in[i]);
}

// out = a + b
inline void add(long n, const float* a, const float* b, float* out, part p = {}) {
  long i, e;
  detail::elementwise_range(n, p, i, e);
  for (; i + detail::vlanes <= e; i += detail::vlanes)
    detail::storev(out + i, detail::loadv(a + i) + detail::loadv(b + i));
  for (; i < e; ++i) out[i] = a[i] + b[i];
}

// out = max(a + b, 0); NaN in, NaN out
inline void add_relu(long n, const float* a, const float* b, float* out, part p = {}) {
  long i, e;
  detail::elementwise_range(n, p, i, e);
  for (; i + detail::vlanes <= e; i += detail::vlanes)
    detail::storev(out + i, detail::max0(detail::loadv(a + i) + detail::loadv(b + i)));
  for (; i < e; ++i) out[i] = detail::max0(a[i] + b[i]);
}

// out = min(max(in, lo), hi) over n floats; NaN in, NaN out (both comparisons are false for it)
inline void clamp(long n, const float* in, float lo, float hi, float* out) {
  long i = 0;
  const detail::vecf vlo = detail::vecf{} + lo, vhi = detail::vecf{} + hi;
  for (; i + detail::vlanes <= n; i += detail::vlanes) {
    detail::vecf v = detail::loadv(in + i);
    v = v < vlo ? vlo : v;
    v = v > vhi ? vhi : v;
    detail::storev(out + i, v);
  }
  for (; i < n; ++i) out[i] = in[i] < lo ? lo : in[i] > hi ? hi : in[i];
}

// out[n][c][i] = x[n][c][i] * gate[n][c] over planes of `plane` floats (squeeze-excitation).
// Part p scales its share of the batch x channels planes; x may be out.
inline void scale_channels(int channels, long plane, const float* x, const float* gate, float* out, int batch, part p = {}) {
  const long rows = long(batch) * channels;
  for (long r = rows * p.index / p.count, end = rows * (p.index + 1) / p.count; r < end; ++r) {
    const float g = gate[r];
    const float* in = x + r * plane;
    float* o = out + r * plane;
    long i = 0;
    for (; i + detail::vlanes <= plane; i += detail::vlanes) detail::storev(o + i, detail::loadv(in + i) * g);
    for (; i < plane; ++i) o[i] = in[i] * g;
  }
}

// out[n][c][i] = act(x[n][c][i] * scale[c] + shift[c]) over planes of `plane` floats: an inference
// batch norm (and the activation after it). Images are in_image / out_image floats apart (channel
// slices of larger buffers; 0: channels x plane). Part p does its share of the batch x channels planes.
inline void affine_channels(int channels, long plane, const float* x, long in_image, const float* scale, const float* shift,
                            activation act, float* out, long out_image, int batch, part p = {}) {
  if (in_image == 0) in_image = channels * plane;
  if (out_image == 0) out_image = channels * plane;
  const long rows = long(batch) * channels;
  for (long r = rows * p.index / p.count, end = rows * (p.index + 1) / p.count; r < end; ++r) {
    const int c = int(r % channels);
    const float* in = x + plane_offset(r, channels, in_image, plane);
    float* o = out + plane_offset(r, channels, out_image, plane);
    const float s = scale[c], b = shift[c];
    long i = 0;
    if (act == activation::relu) {
      for (; i + detail::vlanes <= plane; i += detail::vlanes) detail::storev(o + i, detail::max0(detail::loadv(in + i) * s + b));
      for (; i < plane; ++i) o[i] = detail::max0(in[i] * s + b);
    } else if (act == activation::none) {
      for (; i + detail::vlanes <= plane; i += detail::vlanes) detail::storev(o + i, detail::loadv(in + i) * s + b);
      for (; i < plane; ++i) o[i] = in[i] * s + b;
    } else {  // the rarer activations, one float at a time
      for (; i < plane; ++i) o[i] = activate(act, in[i] * s + b);
    }
  }
}

}  // namespace typenet::kernels
