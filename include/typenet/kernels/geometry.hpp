#pragma once
// Geometry of one kernel call, read by the kernels at run time. (Compile-time loop bounds were
// measured to buy nothing once the register tiles are constants: bench/static_vs_dynamic.cpp.)
#include <typenet/hw.hpp>
#include <typenet/kernels/layout.hpp>

namespace typenet::kernels {

// Output size along one axis of a window of `kernel` sliding with `stride` over `in` padded by
// `pad` on both sides (floor mode): the one formula both front ends use.
constexpr int window_output_size(int in, int kernel, int stride, int pad) { return (in + 2 * pad - kernel) / stride + 1; }

struct conv_geometry {
  int in_c, in_h, in_w;
  int out_c, out_h, out_w;
  int kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, groups;
  constexpr int in_c_per_group() const { return in_c / groups; }
  constexpr int out_c_per_group() const { return out_c / groups; }
  constexpr int taps() const { return kernel_h * kernel_w; }
  constexpr long weight_size() const { return long(out_c) * in_c_per_group() * taps(); }
  constexpr long in_size() const { return long(in_c) * in_h * in_w; }
  constexpr long out_size() const { return long(out_c) * out_h * out_w; }
  constexpr long macs() const { return weight_size() * out_h * out_w; }  // per image
  // Floats from one image to the next: the size, unless the input or the output is a channel
  // slice of a larger buffer (runtime::io's strides; 0: the size). The residual is never a slice.
  long in_image_stride = 0, out_image_stride = 0;
  constexpr long in_image() const { return in_image_stride ? in_image_stride : in_size(); }
  constexpr long out_image() const { return out_image_stride ? out_image_stride : out_size(); }
  // The input's and the output's (and the residual's) layouts: nChw16c only where the plan chose
  // it and the kernel takes it (pointwise_takes_layout).
  layout in_layout = layout::nchw, out_layout = layout::nchw;
  friend constexpr bool operator==(const conv_geometry&, const conv_geometry&) = default;
};

// A pooling window per axis, PyTorch's semantics: windows that hang off the padded input (ceil
// mode) are clipped; an average divides by the window clipped to the padded input when
// count_include_pad, else by its real elements.
struct pool_geometry {
  int channels, in_h, in_w;
  int out_h, out_w;
  int kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w;
  bool ceil_mode = false, count_include_pad = true;
  constexpr long in_size() const { return long(channels) * in_h * in_w; }
  constexpr long out_size() const { return long(channels) * out_h * out_w; }
  long in_image_stride = 0, out_image_stride = 0;  // as conv_geometry's
  constexpr long in_image() const { return in_image_stride ? in_image_stride : in_size(); }
  constexpr long out_image() const { return out_image_stride ? out_image_stride : out_size(); }
  friend constexpr bool operator==(const pool_geometry&, const pool_geometry&) = default;
};

// The geometry of a conv2d / max_pool layer on an input of in_c x in_h x in_w: shared by the
// static layers (template constants) and the dynamic graph (run-time values).
constexpr conv_geometry make_conv_geometry(int in_c, int in_h, int in_w, int out_c, hw kernel, hw stride, hw pad,
                                           int groups) {
  return {in_c, in_h, in_w, out_c,
          window_output_size(in_h, kernel.h, stride.h, pad.h), window_output_size(in_w, kernel.w, stride.w, pad.w),
          kernel.h, kernel.w, stride.h, stride.w, pad.h, pad.w, groups, 0, 0};
}

// Output size of a pooling window along one axis, as PyTorch's pooling_output_shape: ceil mode
// rounds up, but a last window that would start at or beyond in + pad (on padding only) is dropped.
constexpr int pool_output_size(int in, int kernel, int stride, int pad, bool ceil_mode) {
  if (!ceil_mode) return window_output_size(in, kernel, stride, pad);
  int out = (in + 2 * pad - kernel + stride - 1) / stride + 1;
  if ((out - 1) * stride >= in + pad) --out;
  return out;
}
constexpr pool_geometry make_pool_geometry(int channels, int in_h, int in_w, int kernel_h, int kernel_w, int stride_h,
                                           int stride_w, int pad_h, int pad_w, bool ceil_mode = false,
                                           bool count_include_pad = true) {
  return {channels, in_h, in_w,
          pool_output_size(in_h, kernel_h, stride_h, pad_h, ceil_mode),
          pool_output_size(in_w, kernel_w, stride_w, pad_w, ceil_mode),
          kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, ceil_mode, count_include_pad, 0, 0};
}

// The first float of plane `pl` (image pl / channels, channel pl % channels) of a batch whose
// images are `image` floats apart and whose planes `plane` floats.
constexpr long plane_offset(long pl, int channels, long image, long plane) {
  return pl / channels * image + pl % channels * plane;
}

// Which slice of a parallel kernel's work the calling thread does: part `index` of `count`.
struct part {
  int index = 0, count = 1;
  // The half-open sub-range [begin, end) of [0, n) that this part owns (balanced split).
  constexpr int begin(int n) const { return int(long(n) * index / count); }
  constexpr int end(int n) const { return int(long(n) * (index + 1) / count); }
};

}  // namespace typenet::kernels
