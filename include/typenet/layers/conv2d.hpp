#pragma once
#include "../kernels/geometry.hpp"
#include "../layer.hpp"

namespace typenet {

// 2-D convolution, PyTorch semantics: zero padding on every side, weights [Out][In/Groups][K][K].
template <int Out, int Kernel, int Stride = 1, int Padding = 0, int Groups = 1, bool Bias = false>
struct conv2d {
  static constexpr std::string_view kind = "conv2d";
  static constexpr int out_channels = Out, kernel = Kernel, stride = Stride, padding = Padding, groups = Groups;
  static constexpr bool bias = Bias;

  template <class In, bool Diagnose = false>
  static constexpr bool check() {
    if constexpr (!(Out > 0 && Kernel > 0 && Stride > 0 && Padding >= 0 && Groups > 0)) {
      if constexpr (Diagnose) {
        static_assert(Out > 0 && Kernel > 0 && Stride > 0 && Padding >= 0 && Groups > 0,
                      "conv2d: Out, Kernel, Stride and Groups must be positive and Padding non-negative");
        (void)sizeof(detail::shape_mismatch<conv2d, Out, Kernel, Stride, Padding, Groups>);
      }
      return false;
    } else if constexpr (Out % Groups != 0) {
      if constexpr (Diagnose) {
        static_assert(Out % Groups == 0, "conv2d: output channels must be divisible by Groups");
        (void)sizeof(detail::shape_mismatch<conv2d, Out, Groups>);
      }
      return false;
    } else if constexpr (In::channels % Groups != 0) {
      if constexpr (Diagnose) {
        static_assert(In::channels % Groups == 0, "conv2d: input channels must be divisible by Groups");
        (void)sizeof(detail::shape_mismatch<conv2d, In::channels, Groups>);
      }
      return false;
    } else if constexpr (Kernel > In::height + 2 * Padding || Kernel > In::width + 2 * Padding) {
      if constexpr (Diagnose) {
        static_assert(Kernel <= In::height + 2 * Padding && Kernel <= In::width + 2 * Padding,
                      "conv2d: kernel larger than the padded input");
        (void)sizeof(detail::shape_mismatch<conv2d, Kernel, In::height + 2 * Padding, In::width + 2 * Padding>);
      }
      return false;
    } else {
      return true;
    }
  }

  template <class In>
  static constexpr kernels::conv_geometry geometry =
      kernels::make_conv_geometry(In::channels, In::height, In::width, Out, Kernel, Stride, Padding, Groups);

  template <class In>
  using output = shape<Out, geometry<In>.out_h, geometry<In>.out_w>;

  template <class In>
  static constexpr long params = geometry<In>.weight_size() + (Bias ? Out : 0);
  template <class In>
  static constexpr long macs = geometry<In>.macs();
};

}  // namespace typenet
