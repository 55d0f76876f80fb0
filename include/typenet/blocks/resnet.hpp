#pragma once
#include "bottleneck.hpp"

namespace typenet {

namespace rule {
TYPENET_RULE(resnet_stack_empty, "resnet::stack: needs at least one block", "{} blocks");
}  // namespace rule

namespace ops {
using resnet_stack = stage<rule::resnet_stack_empty>;
}  // namespace ops

namespace resnet {

// torchvision's ResNet Bottleneck: width Planes, output 4*Planes, one group.
template <int Planes, int Stride, bool Projection>
struct block : bottleneck<Planes, 4 * Planes, Stride, 1, Projection> {
  static constexpr std::string_view kind = "resnet::block";
};

// torchvision's _make_layer: Blocks blocks, the first projecting to 4*Planes with the stride.
template <int Planes, int Blocks, int Stride>
struct stack : typenet::detail::stage_t<block<Planes, Stride, true>, block<Planes, 1, false>, Blocks> {
  using op = ops::resnet_stack;
  static constexpr std::string_view kind = op::kind;
  static constexpr op::attributes attrs{Blocks};
};

}  // namespace resnet
}  // namespace typenet
