#pragma once
#include <utility>

#include "block.hpp"
#include "../layers/batch_norm.hpp"
#include "../layers/conv2d.hpp"
#include "../layers/identity.hpp"
#include "../layers/relu.hpp"
#include "../layers/residual.hpp"
#include "../layers/sequential.hpp"

namespace typenet {

namespace rule {
TYPENET_RULE(bottleneck_identity_channels, "bottleneck: identity shortcut needs input channels == Out",
             "input channels {}, Out {}");
TYPENET_RULE(bottleneck_identity_stride, "bottleneck: identity shortcut cannot downsample (Stride must be 1)", "Stride {}");
}  // namespace rule

namespace ops {
// A bottleneck block's own rules, checked before its layers: a chain of its children otherwise.
struct bottleneck {
  static constexpr std::string_view kind = "bottleneck";
  struct attributes {
    int width = 0, out = 0, stride = 1, groups = 1;
    bool projection = false;
  };
  using rules = rule_list<rule::bottleneck_identity_channels, rule::bottleneck_identity_stride>;
  static constexpr ir::flow flow = ir::flow::chain;
  static constexpr verdict check(const attributes& a, dims in) {
    if (!a.projection && in.channels != a.out) return rules::broken<rule::bottleneck_identity_channels>({in.channels, a.out});
    if (!a.projection && a.stride != 1) return rules::broken<rule::bottleneck_identity_stride>({a.stride});
    return {};
  }
};

// A stage of blocks (resnext::stack, resnet::stack): a chain of its blocks, with one rule of its
// own, `Empty` ("<api>: needs at least one block"), whose API prefix is also its kind.
template <class Empty>
struct stage {
  static constexpr std::string_view kind = Empty::text.substr(0, Empty::text.find(": "));
  struct attributes {
    int blocks = 0;
  };
  using rules = rule_list<Empty>;
  static constexpr ir::flow flow = ir::flow::chain;
  static constexpr verdict check(const attributes& a, dims) {
    if (a.blocks < 1) return rules::template broken<Empty>({a.blocks});
    return {};
  }
};
}  // namespace ops

namespace detail {
// torchvision's Bottleneck (ResNet v1.5: the stride sits on the 3x3), with its state_dict names.
template <int Width, int Out, int Stride, int Groups, bool Projection>
using bottleneck_body = sequential<
    named<"", residual<
        named<"", sequential<named<"conv1", conv2d<Width, 1>>, named<"bn1", batch_norm>, named<"relu", relu>,
                             named<"conv2", conv2d<Width, 3, Stride, 1, Groups>>, named<"bn2", batch_norm>,
                             named<"relu", relu>, named<"conv3", conv2d<Out, 1>>, named<"bn3", batch_norm>>>,
        std::conditional_t<Projection, named<"downsample", sequential<conv2d<Out, 1, Stride>, batch_norm>>,
                           named<"", identity>>>>,
    named<"relu", relu>>;

// A stage of Blocks blocks: First, then Blocks - 1 copies of Rest (at least First alone).
template <class T, std::size_t>
using repeat_t = T;
template <class First, class Rest, std::size_t... I>
auto stage(std::index_sequence<I...>) -> sequential<First, repeat_t<Rest, I>...>;
template <class First, class Rest, int Blocks>
using stage_t = decltype(stage<First, Rest>(std::make_index_sequence<(Blocks > 1 ? Blocks - 1 : 0)>{}));
}  // namespace detail

// The general bottleneck residual block: 1x1 to Width, grouped 3x3 (Stride), 1x1 to Out, each with
// batch norm; shortcut = 1x1 projection to Out with Stride + batch norm, or the input itself; add;
// ReLU. ResNet-50 and ResNeXt-50 are this block with different numbers.
template <int Width, int Out, int Stride, int Groups, bool Projection>
struct bottleneck : block_of<ops::bottleneck, detail::bottleneck_body<Width, Out, Stride, Groups, Projection>, Width, Out, Stride,
                             Groups, Projection> {};

}  // namespace typenet
