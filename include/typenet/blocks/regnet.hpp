#pragma once
// RegNet's blocks (Radosavovic et al. 2020, "Designing Network Design Spaces"; torchvision's
// names): the X block (residual bottleneck with a grouped 3x3), the Y block (the X block with
// squeeze-excitation), AnyNet's stages of them and the trunk of stages. A stage is the paper's row
// (depth d, width w, group width g, bottleneck ratio b, SE ratio); every stage downsamples by 2.
#include <cstddef>
#include <ratio>
#include <type_traits>
#include <utility>

#include "block.hpp"
#include "../layers/batch_norm.hpp"
#include "../layers/conv2d.hpp"
#include "../layers/identity.hpp"
#include "../layers/relu.hpp"
#include "../layers/residual.hpp"
#include "../layers/sequential.hpp"
#include "bottleneck.hpp"
#include "squeeze_excitation.hpp"

namespace typenet {

namespace rule {
TYPENET_RULE(regnet_block_positive, "regnet::block: In, Out, Stride and GroupWidth must be positive",
             "In {}, Out {}, Stride {}, GroupWidth {}");
TYPENET_RULE(regnet_block_input, "regnet::block: input channels must equal In", "input channels {}, In {}");
TYPENET_RULE(regnet_block_groups, "regnet::block: the bottleneck width (Out x bottleneck ratio) must be a positive multiple of GroupWidth",
             "bottleneck width {}, GroupWidth {}");
TYPENET_RULE(regnet_stage_empty, "regnet::any_stage: needs at least one block", "{} blocks");
}  // namespace rule

namespace ops {
struct regnet_block {
  static constexpr std::string_view kind = "regnet::block";
  struct attributes {
    int in = 0, out = 0, stride = 1, group_width = 1, bottleneck = 0, squeeze = 0;  // bottleneck and SE widths
  };
  using rules = rule_list<rule::regnet_block_positive, rule::regnet_block_input, rule::regnet_block_groups>;
  static constexpr ir::flow flow = ir::flow::chain;
  static constexpr verdict check(const attributes& a, dims in) {
    if (!(a.in > 0 && a.out > 0 && a.stride > 0 && a.group_width > 0))
      return rules::broken<rule::regnet_block_positive>({a.in, a.out, a.stride, a.group_width});
    if (in.channels != a.in) return rules::broken<rule::regnet_block_input>({in.channels, a.in});
    if (!(a.bottleneck > 0 && a.bottleneck % a.group_width == 0))
      return rules::broken<rule::regnet_block_groups>({a.bottleneck, a.group_width});
    return {};
  }
};

using regnet_stage = stage<rule::regnet_stage_empty>;
}  // namespace ops

namespace regnet {

namespace detail {
// Python's round(v * R) (ties to even), as torchvision computes the bottleneck and SE widths.
template <class R>
constexpr int round_times(int v) {
  const long num = long(v) * R::num, q = num / R::den, r = num % R::den;
  return int(2 * r > R::den || (2 * r == R::den && q % 2 == 1) ? q + 1 : q);
}

// torchvision's Conv2dNormActivation: conv (no bias, "same" padding), batch norm (eps 1e-5),
// optionally ReLU; children 0-2.
template <int Out, int Kernel, int Stride = 1, int Groups = 1>
using conv_bn = sequential<conv2d<Out, Kernel, Stride, (Kernel - 1) / 2, Groups>, batch_norm>;
template <int Out, int Kernel, int Stride = 1, int Groups = 1>
using conv_bn_relu = sequential<conv2d<Out, Kernel, Stride, (Kernel - 1) / 2, Groups>, batch_norm, relu>;

// BottleneckTransform: 1x1 to the bottleneck width, grouped 3x3 (Stride), [SE], 1x1 to Out.
template <int Out, int Stride, int Bottleneck, int Groups, class... SE>
using transform_with = sequential<named<"a", conv_bn_relu<Bottleneck, 1>>, named<"b", conv_bn_relu<Bottleneck, 3, Stride, Groups>>,
                                  SE..., named<"c", conv_bn<Out, 1>>>;
template <int Out, int Stride, int Bottleneck, int Groups, bool SE, int Squeeze>
using transform = std::conditional_t<SE,
                                     transform_with<Out, Stride, Bottleneck, Groups, named<"se", squeeze_excitation<Bottleneck, Squeeze>>>,
                                     transform_with<Out, Stride, Bottleneck, Groups>>;

// ResBottleneckBlock: activation(proj(x) + f(x)), proj a strided 1x1 + batch norm exactly when
// the shape changes, else the input itself.
template <int In, int Out, int Stride, int Bottleneck, int Groups, bool SE, int Squeeze>
using block_body = sequential<
    named<"", residual<named<"f", transform<Out, Stride, Bottleneck, Groups, SE, Squeeze>>,
                       std::conditional_t<In != Out || Stride != 1, named<"proj", conv_bn<Out, 1, Stride>>, named<"", identity>>>>,
    named<"activation", relu>>;

// The block's layers from the paper's numbers: bottleneck width round(Out x Bottleneck), SE
// exactly when SeRatio > 0 (a ratio that rounds to no channels is squeeze_excitation's error).
template <int In, int Out, int Stride, int GroupWidth, class Bottleneck, class SeRatio, int Width = round_times<Bottleneck>(Out)>
using block_layers = block_body<In, Out, Stride, Width, (GroupWidth > 0 ? Width / GroupWidth : 1), (SeRatio::num > 0),
                            round_times<SeRatio>(In)>;

}  // namespace detail

// torchvision's ResBottleneckBlock: In -> Out channels with Stride; bottleneck width
// round(Out x Bottleneck) in groups of GroupWidth channels; with squeeze-excitation (the Y
// block) squeezing to round(SeRatio x In) channels when SeRatio > 0 (the X block otherwise).
template <int In, int Out, int Stride, int GroupWidth, class Bottleneck = std::ratio<1>, class SeRatio = std::ratio<0>>
struct block : block_of<ops::regnet_block, detail::block_layers<In, Out, Stride, GroupWidth, Bottleneck, SeRatio>, In, Out, Stride,
                        GroupWidth, detail::round_times<Bottleneck>(Out), detail::round_times<SeRatio>(In)> {};

// One row of the paper's per-stage table: Depth blocks of Width output channels, group width,
// bottleneck ratio, SE ratio (0: none). The first block of each stage downsamples by 2.
template <int Depth, int Width, int GroupWidth, class Bottleneck = std::ratio<1>, class SeRatio = std::ratio<0>>
struct stage {
  static constexpr int width = Width;
};

namespace detail {
template <int Index, int In, int Out, int Stride, int GroupWidth, class Bottleneck, class SeRatio, std::size_t... I>
auto any_stage_body(std::index_sequence<I...>)
    -> sequential<named<numbered<"block", Index, int(I)>,
                        block<(I == 0 ? In : Out), Out, (I == 0 ? Stride : 1), GroupWidth, Bottleneck, SeRatio>>...>;
}  // namespace detail

// torchvision's AnyStage number Index: Depth blocks named "block<Index>-<i>", the first taking In
// channels and the stride.
template <int Index, int In, int Out, int Depth, int Stride, int GroupWidth, class Bottleneck, class SeRatio>
struct any_stage : block_of<ops::regnet_stage,
                            decltype(detail::any_stage_body<Index, In, Out, Stride, GroupWidth, Bottleneck, SeRatio>(
                                std::make_index_sequence<std::size_t(Depth > 0 ? Depth : 0)>{})),
                            Depth> {};

namespace detail {
using typenet::detail::type_list;
template <int Index, int In, class Done, class... Stages>
struct trunk_of;
template <int Index, int In, class... Done>
struct trunk_of<Index, In, type_list<Done...>> {
  using type = sequential<Done...>;
};
template <int Index, int In, class... Done, int Depth, int Width, int GroupWidth, class Bottleneck, class SeRatio, class... Rest>
struct trunk_of<Index, In, type_list<Done...>, stage<Depth, Width, GroupWidth, Bottleneck, SeRatio>, Rest...>
    : trunk_of<Index + 1, Width,
               type_list<Done..., named<numbered<"block", Index>, any_stage<Index, In, Width, Depth, 2, GroupWidth, Bottleneck, SeRatio>>>,
               Rest...> {};
}  // namespace detail

// torchvision's trunk_output: the stages "block1", "block2", ... after a stem of StemWidth channels.
template <int StemWidth, class... Stages>
using trunk = typename detail::trunk_of<1, StemWidth, detail::type_list<>, Stages...>::type;

// SimpleStemIN: 3x3 conv with stride 2, batch norm, ReLU.
template <int Width>
using stem = detail::conv_bn_relu<Width, 3, 2>;

}  // namespace regnet
}  // namespace typenet
