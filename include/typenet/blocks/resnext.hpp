#pragma once
#include <utility>

#include "bottleneck.hpp"

namespace typenet::resnext {

// The seed's block(x, filters, strides, groups, conv_shortcut): residual branch ends in 2*Filters
// channels; the shortcut is a strided 1x1 projection when ConvShortcut, else the input itself.
template <int Filters, int Stride, bool ConvShortcut, int Groups = 32>
struct block : bottleneck<Filters, 2 * Filters, Stride, Groups, ConvShortcut> {
  using base = bottleneck<Filters, 2 * Filters, Stride, Groups, ConvShortcut>;
  static constexpr std::string_view kind = "resnext::block";

  template <class In, bool Diagnose = false>
  static constexpr bool check() {
    if constexpr (!(Filters > 0 && Stride > 0 && Groups > 0)) {
      if constexpr (Diagnose) {
        static_assert(Filters > 0 && Stride > 0 && Groups > 0, "resnext::block: Filters, Stride and Groups must be positive");
        (void)sizeof(typenet::detail::shape_mismatch<block, Filters, Stride, Groups>);
      }
      return false;
    } else if constexpr (Filters % Groups != 0) {
      if constexpr (Diagnose) {
        static_assert(Filters % Groups == 0, "resnext::block: Filters must be divisible by Groups");
        (void)sizeof(typenet::detail::shape_mismatch<block, Filters, Groups>);
      }
      return false;
    } else if constexpr (!ConvShortcut && In::channels != 2 * Filters) {
      if constexpr (Diagnose) {
        static_assert(In::channels == 2 * Filters, "resnext::block: identity shortcut needs input channels == 2*Filters");
        (void)sizeof(typenet::detail::shape_mismatch<block, In::channels, 2 * Filters>);
      }
      return false;
    } else if constexpr (!ConvShortcut && Stride != 1) {
      if constexpr (Diagnose) {
        static_assert(Stride == 1, "resnext::block: identity shortcut cannot downsample (Stride must be 1)");
        (void)sizeof(typenet::detail::shape_mismatch<block, Stride>);
      }
      return false;
    } else {
      return base::template check<In, Diagnose>();
    }
  }
};

// keras-applications' stack3: exactly Blocks blocks, the first projecting to 2*Filters (with the
// stride), so every identity block after it sees matching channels. (The seed's `for i in
// range(blocks)` after the first block builds Blocks + 1.)
template <int Filters, int Blocks, int Stride, int Groups = 32>
struct stack : typenet::detail::stage_t<block<Filters, Stride, true, Groups>, block<Filters, 1, false, Groups>, Blocks> {
  using base = typenet::detail::stage_t<block<Filters, Stride, true, Groups>, block<Filters, 1, false, Groups>, Blocks>;
  static constexpr std::string_view kind = "resnext::stack";
  static constexpr int blocks = Blocks;

  template <class In, bool Diagnose = false>
  static constexpr bool check() {
    if constexpr (Blocks < 1) {
      if constexpr (Diagnose) {
        static_assert(Blocks >= 1, "resnext::stack: needs at least one block");
        (void)sizeof(typenet::detail::shape_mismatch<stack, Blocks>);
      }
      return false;
    } else {
      return base::template check<In, Diagnose>();
    }
  }
};

}  // namespace typenet::resnext
