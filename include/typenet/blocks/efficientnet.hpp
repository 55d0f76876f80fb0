#pragma once
// EfficientNet's blocks (Tan & Le 2019, 2021; torchvision's names): MBConv (inverted residual with
// squeeze-excitation and silu), FusedMBConv (V2: expansion and depthwise conv fused into one
// conv), stages of them, and the features splice that numbers their stochastic depth.
#include <cstddef>
#include <ratio>
#include <utility>

#include "block.hpp"
#include "../layers/sigmoid.hpp"
#include "../layers/silu.hpp"
#include "../layers/stochastic_depth.hpp"
#include "bottleneck.hpp"
#include "inverted_bottleneck.hpp"
#include "squeeze_excitation.hpp"

namespace typenet {

namespace rule {
TYPENET_RULE(efficientnet_mbconv_positive, "efficientnet::mbconv: In, Out, Kernel and Expand must be positive",
             "In {}, Out {}, Kernel {}, Expand {}");
TYPENET_RULE(efficientnet_mbconv_stride, "efficientnet::mbconv: Stride must be 1 or 2", "Stride {}");
TYPENET_RULE(efficientnet_mbconv_input, "efficientnet::mbconv: input channels must equal In", "input channels {}, In {}");
TYPENET_RULE(efficientnet_fused_mbconv_positive, "efficientnet::fused_mbconv: In, Out, Kernel and Expand must be positive",
             "In {}, Out {}, Kernel {}, Expand {}");
TYPENET_RULE(efficientnet_fused_mbconv_stride, "efficientnet::fused_mbconv: Stride must be 1 or 2", "Stride {}");
TYPENET_RULE(efficientnet_fused_mbconv_input, "efficientnet::fused_mbconv: input channels must equal In",
             "input channels {}, In {}");
TYPENET_RULE(efficientnet_stage_empty, "efficientnet::stage: needs at least one block", "{} blocks");
}  // namespace rule

namespace ops {
using efficientnet_mbconv = inverted_bottleneck<rule::efficientnet_mbconv_positive, rule::efficientnet_mbconv_stride,
                                                rule::efficientnet_mbconv_input>;
using efficientnet_fused_mbconv = inverted_bottleneck<rule::efficientnet_fused_mbconv_positive, rule::efficientnet_fused_mbconv_stride,
                                                      rule::efficientnet_fused_mbconv_input>;
using efficientnet_stage = stage<rule::efficientnet_stage_empty>;
}  // namespace ops

namespace efficientnet {

// Conv2dNormActivation with silu: the stem and the head's 1x1 conv.
template <int Out, int Kernel, int Stride, class Norm = batch_norm>
using conv_bn_silu = conv_norm_activation<Out, Kernel, Stride, 1, Norm, silu>;

namespace detail {
using typenet::detail::present_if;
using typenet::detail::sequential_of_t;

// torchvision's expanded channels: adjust_channels(In, Expand) = _make_divisible(In * Expand, 8).
template <int In, int Expand>
inline constexpr int expanded = make_divisible(double(In) * Expand);

// A block's output: its branch, plus the input when the shape is kept, with the branch behind
// stochastic depth (drop probability P; the identity at inference) exactly then.
template <int In, int Out, int Stride, class P, class Branch>
using body = typenet::detail::shortcut_if<Stride == 1 && In == Out,
                                          named<"", sequential<named<"block", Branch>, named<"stochastic_depth", stochastic_depth<P>>>>,
                                          named<"block", Branch>>;

// MBConv.block: expand (1x1, when the expanded channels differ from In), depthwise (Kernel,
// Stride), squeeze-excitation (to max(1, In / 4) channels through silu), project (1x1, linear).
template <int In, int Out, int Kernel, int Stride, int Hidden, class Norm>
using mbconv_branch = sequential_of_t<present_if<Hidden != In, conv_norm_activation<Hidden, 1, 1, 1, Norm, silu>>,
                                      conv_norm_activation<Hidden, Kernel, Stride, Hidden, Norm, silu>,
                                      squeeze_excitation<Hidden, (In / 4 > 1 ? In / 4 : 1), silu, sigmoid>,
                                      conv_norm_activation<Out, 1, 1, 1, Norm, void>>;

// FusedMBConv.block: one conv (Kernel, Stride) to the expanded channels and a linear 1x1
// projection; without expansion, the one conv straight to Out (with silu).
template <int In, int Out, int Kernel, int Stride, int Hidden, class Norm>
using fused_mbconv_branch =
    std::conditional_t<Hidden != In,
                       sequential<conv_norm_activation<Hidden, Kernel, Stride, 1, Norm, silu>, conv_norm_activation<Out, 1, 1, 1, Norm, void>>,
                       sequential<conv_norm_activation<Out, Kernel, Stride, 1, Norm, silu>>>;
}  // namespace detail

namespace detail {
// A block of kind Op: Branch (with stochastic depth P) plus the input when the shape is kept.
template <class Op, int In, int Out, int Kernel, int Stride, int Expand, class P, class Branch>
struct block : block_of<Op, sequential<named<"", body<In, Out, Stride, P, Branch>>>, In, Out, Kernel, Stride, Expand> {};
}  // namespace detail

// MBConv<In, Out, Kernel, Stride, Expand, P, Norm>: P is the block's stochastic depth probability.
template <int In, int Out, int Kernel, int Stride, int Expand, class P, class Norm = batch_norm>
struct mbconv : detail::block<ops::efficientnet_mbconv, In, Out, Kernel, Stride, Expand, P,
                              detail::mbconv_branch<In, Out, Kernel, Stride, detail::expanded<In, Expand>, Norm>> {};

// FusedMBConv<In, Out, Kernel, Stride, Expand, P, Norm> (EfficientNetV2).
template <int In, int Out, int Kernel, int Stride, int Expand, class P, class Norm = batch_norm>
struct fused_mbconv : detail::block<ops::efficientnet_fused_mbconv, In, Out, Kernel, Stride, Expand, P,
                                    detail::fused_mbconv_branch<In, Out, Kernel, Stride, detail::expanded<In, Expand>, Norm>> {};

// One row of the stage table, in torchvision's MBConvConfig order: expand ratio, kernel, stride,
// input channels, output channels, layers. features<...> turns it into a stage.
template <template <int, int, int, int, int, class, class> class Block, int Expand, int Kernel, int Stride, int In, int Out,
          int Layers, class Norm>
struct stage_row {};
template <int Expand, int Kernel, int Stride, int In, int Out, int Layers, class Norm = batch_norm>
using stage = stage_row<mbconv, Expand, Kernel, Stride, In, Out, Layers, Norm>;
template <int Expand, int Kernel, int Stride, int In, int Out, int Layers, class Norm = batch_norm>
using fused_stage = stage_row<fused_mbconv, Expand, Kernel, Stride, In, Out, Layers, Norm>;

// torchvision's stochastic_depth_prob: block i of n (counted over all stages) drops its branch
// with probability 0.2 * i / n.
using stochastic_depth_probability = std::ratio<1, 5>;

namespace detail {
template <int Block, int Blocks>
using block_drop = std::ratio_multiply<stochastic_depth_probability, std::ratio<Block, Blocks>>;

// The blocks of a stage whose first block is number First of Total: the first with In and the
// stride, the others Out to Out.
template <template <int, int, int, int, int, class, class> class Block, int Expand, int Kernel, int Stride, int In, int Out,
          class Norm, int First, int Total, std::size_t... I>
auto stage_blocks(std::index_sequence<I...>)
    -> sequential<Block<I == 0 ? In : Out, Out, Kernel, I == 0 ? Stride : 1, Expand, block_drop<First + int(I), Total>, Norm>...>;
}  // namespace detail

// A stage: torchvision's nn.Sequential of Layers blocks (features.1 ... features.7 in B0).
template <template <int, int, int, int, int, class, class> class Block, int Expand, int Kernel, int Stride, int In, int Out,
          int Layers, class Norm, int First, int Total>
struct stage_of : block_of<ops::efficientnet_stage,
                           decltype(detail::stage_blocks<Block, Expand, Kernel, Stride, In, Out, Norm, First, Total>(
                               std::make_index_sequence<std::size_t(Layers > 0 ? Layers : 0)>{})),
                           Layers> {};

namespace detail {
using typenet::detail::type_list;
template <class L>
inline constexpr int blocks_in = 0;
template <template <int, int, int, int, int, class, class> class B, int E, int K, int S, int In, int Out, int N, class Norm>
inline constexpr int blocks_in<stage_row<B, E, K, S, In, Out, N, Norm>> = N;

template <class L, int First, int Total>
struct layer_for {
  using type = L;
};
template <template <int, int, int, int, int, class, class> class B, int E, int K, int S, int In, int Out, int N, class Norm,
          int First, int Total>
struct layer_for<stage_row<B, E, K, S, In, Out, N, Norm>, First, Total> {
  using type = stage_of<B, E, K, S, In, Out, N, Norm, First, Total>;
};

template <int Total, int First, class Done, class... Rest>
struct splice;
template <int Total, int First, class... Done>
struct splice<Total, First, type_list<Done...>> {
  using type = sequential<Done...>;
};
template <int Total, int First, class... Done, class L, class... Rest>
struct splice<Total, First, type_list<Done...>, L, Rest...>
    : splice<Total, First + blocks_in<L>, type_list<Done..., typename layer_for<L, First, Total>::type>, Rest...> {};
}  // namespace detail

// One sequential of layers and stage rows, each row a stage whose blocks know their number among
// all the stages' blocks (for their stochastic depth).
template <class... LayersAndStages>
using features = typename detail::splice<(0 + ... + detail::blocks_in<LayersAndStages>), 0, detail::type_list<>, LayersAndStages...>::type;

}  // namespace efficientnet
}  // namespace typenet
