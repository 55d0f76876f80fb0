#pragma once
// Activation layouts. Every value is NCHW unless the plan chooses otherwise (runtime/plan.hpp,
// choose_layouts): a value whose producer and every reader take it blocked lives in nChw16c,
// channels in blocks of 16 interleaved per pixel, [C / 16][H][W][16]. Why: the oc tile (kernels/
// oc_tile.hpp) holds 32 channels x 14 pixels, one vector per pixel and 16 channels; in NCHW its
// store is a transpose and 32 partial lines, in nChw16c 28 whole lines as they are in registers.
// Measured on Zen 5, one core, ResNeXt-50's 1x1 layers (bench/layout.cpp, every pair of layouts):
// a blocked output 3-11% faster than NCHW; a blocked input as fast where the output is blocked too,
// up to 34% slower on 56x56 images where the output stays NCHW. A value of one pixel per channel
// is laid out the same either way.
namespace typenet::kernels {

enum class layout : unsigned char { nchw, nchw16c };

constexpr int layout_block = 16;  // channels per block of nChw16c

// The short name profiles and benchmarks print: "nchw", or "16c" for nChw16c.
constexpr const char* layout_name(layout l) { return l == layout::nchw16c ? "16c" : "nchw"; }

// Where channel c of pixel p (of hw per channel) is in one image of `l`.
constexpr long layout_offset(layout l, long c, long p, long hw) {
  return l == layout::nchw ? c * hw + p : (c / layout_block * hw + p) * layout_block + c % layout_block;
}

// One image of C x hw floats re-laid from layout `from` to `to` (C a multiple of 16 when either is
// blocked): for tests and tools; a plan never converts.
inline void relayout(layout from, layout to, int C, long hw, const float* in, float* out) {
  for (long c = 0; c < C; ++c)
    for (long p = 0; p < hw; ++p) out[layout_offset(to, c, p, hw)] = in[layout_offset(from, c, p, hw)];
}

}  // namespace typenet::kernels
