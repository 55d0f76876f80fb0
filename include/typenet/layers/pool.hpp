#pragma once
#include "../kernels/geometry.hpp"
#include "../layer.hpp"

namespace typenet {

// Max pooling, PyTorch semantics (floor mode; padding never wins the max).
template <int Kernel, int Stride = Kernel, int Padding = 0>
struct max_pool {
  static constexpr std::string_view kind = "max_pool";

  template <class In, bool Diagnose = false>
  static constexpr bool check() {
    if constexpr (!(Kernel > 0 && Stride > 0 && Padding >= 0)) {
      if constexpr (Diagnose) {
        static_assert(Kernel > 0 && Stride > 0 && Padding >= 0,
                      "max_pool: Kernel and Stride must be positive and Padding non-negative");
        (void)sizeof(detail::shape_mismatch<max_pool, Kernel, Stride, Padding>);
      }
      return false;
    } else if constexpr (2 * Padding > Kernel) {
      if constexpr (Diagnose) {
        static_assert(2 * Padding <= Kernel, "max_pool: Padding must be at most half the kernel");
        (void)sizeof(detail::shape_mismatch<max_pool, Padding, Kernel>);
      }
      return false;
    } else if constexpr (Kernel > In::height + 2 * Padding || Kernel > In::width + 2 * Padding) {
      if constexpr (Diagnose) {
        static_assert(Kernel <= In::height + 2 * Padding && Kernel <= In::width + 2 * Padding,
                      "max_pool: kernel larger than the padded input");
        (void)sizeof(detail::shape_mismatch<max_pool, Kernel, In::height + 2 * Padding, In::width + 2 * Padding>);
      }
      return false;
    } else {
      return true;
    }
  }

  template <class In>
  static constexpr kernels::pool_geometry geometry =
      kernels::make_pool_geometry(In::channels, In::height, In::width, Kernel, Stride, Padding);
  template <class In>
  using output = shape<In::channels, geometry<In>.out_h, geometry<In>.out_w>;
  template <class In>
  static constexpr long params = 0;
  template <class In>
  static constexpr long macs = 0;
};

// Mean over height and width: (C, H, W) -> (C, 1, 1).
struct global_avg_pool {
  static constexpr std::string_view kind = "global_avg_pool";
  template <class In, bool Diagnose = false>
  static constexpr bool check() { return true; }
  template <class In>
  using output = shape<In::channels, 1, 1>;
  template <class In>
  static constexpr long params = 0;
  template <class In>
  static constexpr long macs = 0;
};

}  // namespace typenet
