#pragma once
#include "bottleneck.hpp"

namespace typenet::resnet {

// torchvision's ResNet Bottleneck: width Planes, output 4*Planes, one group.
template <int Planes, int Stride, bool Projection>
struct block : bottleneck<Planes, 4 * Planes, Stride, 1, Projection> {
  static constexpr std::string_view kind = "resnet::block";
};

// torchvision's _make_layer: Blocks blocks, the first projecting to 4*Planes with the stride.
template <int Planes, int Blocks, int Stride>
struct stack : typenet::detail::stage_t<block<Planes, Stride, true>, block<Planes, 1, false>, Blocks> {
  using base = typenet::detail::stage_t<block<Planes, Stride, true>, block<Planes, 1, false>, Blocks>;
  static constexpr std::string_view kind = "resnet::stack";

  template <class In, bool Diagnose = false>
  static constexpr bool check() {
    if constexpr (Blocks < 1) {
      if constexpr (Diagnose) {
        static_assert(Blocks >= 1, "resnet::stack: needs at least one block");
        (void)sizeof(typenet::detail::shape_mismatch<stack, Blocks>);
      }
      return false;
    } else {
      return base::template check<In, Diagnose>();
    }
  }
};

}  // namespace typenet::resnet
