#pragma once
// Channel gathers: concat, split and shuffle are one kernel, a copy of whole channel planes from
// a table. Planes are contiguous in NCHW, so each (image, channel) row is one memcpy.
#include <cstring>

#include <typenet/kernels/geometry.hpp>

namespace typenet::kernels {

// Output channel c of every image comes from channel `channel` of input `input`.
struct channel_source {
  int input = 0, channel = 0;
};

// out[n][c] = in[table[c].input][n][table[c].channel], planes of `plane` floats; input k's
// images are in_image[k] floats apart, the output's out_image (more than their channels x plane
// where they are channel slices of a larger buffer). Inputs with skip[k] are not copied (a
// concat's input already in its slice of out; skip may be null). Part p copies its share of the
// batch x out_c rows.
inline void gather_channels(long plane, const channel_source* table, int out_c, const float* const* in, const long* in_image,
                            const bool* skip, float* out, long out_image, int batch, part p = {}) {
  const long rows = long(batch) * out_c;
  const long begin = rows * p.index / p.count, end = rows * (p.index + 1) / p.count;
  for (long r = begin; r < end; ++r) {
    const long n = r / out_c;
    const channel_source s = table[r % out_c];
    if (skip && skip[s.input]) continue;
    std::memcpy(out + n * out_image + r % out_c * plane, in[s.input] + n * in_image[s.input] + s.channel * plane,
                sizeof(float) * std::size_t(plane));
  }
}

}  // namespace typenet::kernels
