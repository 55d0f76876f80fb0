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

// out[n][c] = in[table[c].input][n][table[c].channel], planes of `plane` floats; in_channels[k]
// is input k's channel count (its image stride). Part p copies its share of the batch x out_c rows.
inline void gather_channels(long plane, const channel_source* table, int out_c, const float* const* in,
                            const int* in_channels, float* out, int batch, part p = {}) {
  const long rows = long(batch) * out_c;
  const long begin = rows * p.index / p.count, end = rows * (p.index + 1) / p.count;
  for (long r = begin; r < end; ++r) {
    const long n = r / out_c;
    const channel_source s = table[r % out_c];
    std::memcpy(out + r * plane, in[s.input] + (n * in_channels[s.input] + s.channel) * plane, sizeof(float) * std::size_t(plane));
  }
}

}  // namespace typenet::kernels
