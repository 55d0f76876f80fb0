#pragma once
// MobileNetV2's blocks (Sandler et al. 2018; torchvision's names): conv-bn-relu6 units, the
// inverted residual, and stages of them.
#include <type_traits>

#include "block.hpp"
#include "../layers/relu6.hpp"
#include "inverted_bottleneck.hpp"

namespace typenet {

namespace rule {
TYPENET_RULE(inverted_residual_input, "mobilenet::inverted_residual: input channels must equal In", "input channels {}, In {}");
TYPENET_RULE(inverted_residual_positive, "mobilenet::inverted_residual: In, Out, Stride and Expand must be positive",
             "In {}, Out {}, Stride {}, Expand {}");
}  // namespace rule

namespace ops {
struct inverted_residual {
  static constexpr std::string_view kind = "mobilenet::inverted_residual";
  struct attributes {
    int in = 0, out = 0, stride = 1, expand = 1;
  };
  using rules = rule_list<rule::inverted_residual_positive, rule::inverted_residual_input>;
  static constexpr ir::flow flow = ir::flow::chain;
  static constexpr verdict check(const attributes& a, dims in) {
    if (!(a.in > 0 && a.out > 0 && a.stride > 0 && a.expand > 0))
      return rules::broken<rule::inverted_residual_positive>({a.in, a.out, a.stride, a.expand});
    if (in.channels != a.in) return rules::broken<rule::inverted_residual_input>({in.channels, a.in});
    return {};
  }
};
}  // namespace ops

namespace mobilenet {

// torchvision's Conv2dNormActivation with ReLU6: conv (no bias), batch norm, relu6; children 0-2.
template <int Out, int Kernel, int Stride = 1, int Groups = 1>
using conv_bn_relu6 = conv_norm_activation<Out, Kernel, Stride, Groups, batch_norm, relu6>;

namespace detail {
template <int In, int Out, int Stride, int Expand, int Hidden = In * Expand>
using branch = std::conditional_t<Expand == 1,
                                  sequential<conv_bn_relu6<Hidden, 3, Stride, Hidden>, conv2d<Out, 1>, batch_norm>,
                                  sequential<conv_bn_relu6<Hidden, 1>, conv_bn_relu6<Hidden, 3, Stride, Hidden>, conv2d<Out, 1>, batch_norm>>;
template <int In, int Out, int Stride, int Expand>
using body = typenet::detail::shortcut_if<Stride == 1 && In == Out, named<"conv", branch<In, Out, Stride, Expand>>>;
}  // namespace detail

// The inverted residual: expand to In*Expand channels (1x1), depthwise 3x3 (Stride), project to
// Out (1x1, linear); plus the input when the shape is kept.
template <int In, int Out, int Stride, int Expand>
struct inverted_residual
    : block_of<ops::inverted_residual, sequential<named<"", detail::body<In, Out, Stride, Expand>>>, In, Out, Stride, Expand> {};

// A stage of the paper's table 2 (t, c, n, s): Blocks blocks to Out channels, the first with the
// stride. torchvision numbers the blocks of all stages in one list (features.1 ... features.17),
// so a stage is a list of block types that features<...> splices into one sequential.
template <int In, int Out, int Blocks, int Stride, int Expand>
struct stage {};

namespace detail {
using typenet::detail::type_list;
template <class L, class... More>
struct append;
template <class... Ls>
struct append<type_list<Ls...>> {
  using type = sequential<Ls...>;
};
template <class... Ls, class Next, class... More>
struct append<type_list<Ls...>, Next, More...> : append<type_list<Ls..., Next>, More...> {};
template <class... Ls, int In, int Out, int Blocks, int Stride, int Expand, class... More>
struct append<type_list<Ls...>, stage<In, Out, Blocks, Stride, Expand>, More...>
    : append<type_list<Ls..., inverted_residual<In, Out, Stride, Expand>>,
             std::conditional_t<(Blocks > 1), stage<Out, Out, Blocks - 1, 1, Expand>, type_list<>>, More...> {};
template <class... Ls, class... More>
struct append<type_list<Ls...>, type_list<>, More...> : append<type_list<Ls...>, More...> {};
}  // namespace detail

// One sequential of layers and stages, the stages' blocks spliced in order.
template <class... LayersAndStages>
using features = typename detail::append<detail::type_list<>, LayersAndStages...>::type;

}  // namespace mobilenet
}  // namespace typenet
