#pragma once
// ShuffleNetV2's blocks (Ma et al. 2018; torchvision's names): the unit (torchvision's
// InvertedResidual) and stages of units. A downsampling unit (stride > 1) runs two branches on the
// whole input; a stride-1 unit keeps one half of the channels and runs branch2 on the other.
// Either way the halves are concatenated and shuffled across the two groups.
#include <type_traits>

#include "block.hpp"
#include "../layers/batch_norm.hpp"
#include "../layers/channel_shuffle.hpp"
#include "../layers/channel_split.hpp"
#include "../layers/concat.hpp"
#include "../layers/conv2d.hpp"
#include "../layers/relu.hpp"
#include "../layers/sequential.hpp"
#include "bottleneck.hpp"

namespace typenet {

namespace rule {
TYPENET_RULE(shufflenet_unit_positive, "shufflenet::inverted_residual: In and Out must be positive and Stride 1, 2 or 3",
             "In {}, Out {}, Stride {}");
TYPENET_RULE(shufflenet_unit_even, "shufflenet::inverted_residual: Out must be even (two branches of Out/2 channels)", "Out {}");
TYPENET_RULE(shufflenet_unit_input, "shufflenet::inverted_residual: input channels must equal In", "input channels {}, In {}");
TYPENET_RULE(shufflenet_unit_split,
             "shufflenet::inverted_residual: with Stride 1, In must equal Out (one half kept, the other through branch2)",
             "In {}, Out {}");
TYPENET_RULE(shufflenet_stage_empty, "shufflenet::stage: needs at least one unit", "{} blocks");
}  // namespace rule

namespace ops {
struct shufflenet_unit {
  static constexpr std::string_view kind = "shufflenet::inverted_residual";
  struct attributes {
    int in = 0, out = 0, stride = 1;
  };
  using rules = rule_list<rule::shufflenet_unit_positive, rule::shufflenet_unit_even, rule::shufflenet_unit_input,
                          rule::shufflenet_unit_split>;
  static constexpr ir::flow flow = ir::flow::chain;
  static constexpr verdict check(const attributes& a, dims in) {
    if (!(a.in > 0 && a.out > 0 && a.stride >= 1 && a.stride <= 3))
      return rules::broken<rule::shufflenet_unit_positive>({a.in, a.out, a.stride});
    if (a.out % 2 != 0) return rules::broken<rule::shufflenet_unit_even>({a.out});
    if (in.channels != a.in) return rules::broken<rule::shufflenet_unit_input>({in.channels, a.in});
    if (a.stride == 1 && a.in != a.out) return rules::broken<rule::shufflenet_unit_split>({a.in, a.out});
    return {};
  }
};

using shufflenet_stage = stage<rule::shufflenet_stage_empty>;
}  // namespace ops

namespace shufflenet {

namespace detail {
// branch1 (downsampling units only): depthwise 3x3 (Stride) on all In channels, BN, 1x1 to Half,
// BN, ReLU.
template <int In, int Half, int Stride>
using branch1 = sequential<conv2d<In, 3, Stride, 1, In>, batch_norm, conv2d<Half, 1>, batch_norm, relu>;
// branch2: 1x1 to Half (BN, ReLU), depthwise 3x3 (Stride; BN), 1x1 (BN, ReLU).
template <int Half, int Stride>
using branch2 = sequential<conv2d<Half, 1>, batch_norm, relu, conv2d<Half, 3, Stride, 1, Half>, batch_norm, conv2d<Half, 1>,
                           batch_norm, relu>;

template <int In, int Out, int Stride, int Half = Out / 2>
using halves = std::conditional_t<
    Stride == 1,
    concat<named<"", channel_split<0>>, named<"", sequential<named<"", channel_split<1>>, named<"branch2", branch2<Half, 1>>>>>,
    concat<named<"branch1", branch1<In, Half, Stride>>, named<"branch2", branch2<Half, Stride>>>>;
}  // namespace detail

// torchvision's InvertedResidual(inp, oup, stride): the two halves, concatenated, then
// channel_shuffle(2).
template <int In, int Out, int Stride>
struct inverted_residual
    : block_of<ops::shufflenet_unit, sequential<named<"", detail::halves<In, Out, Stride>>, named<"", channel_shuffle<2>>>, In,
               Out, Stride> {};

// A stage (stage2, stage3, stage4): Repeats units to Out channels, the first downsampling by 2.
template <int In, int Out, int Repeats>
struct stage
    : block_of<ops::shufflenet_stage,
               typenet::detail::stage_t<inverted_residual<In, Out, 2>, inverted_residual<Out, Out, 1>, Repeats>, Repeats> {};

}  // namespace shufflenet
}  // namespace typenet
