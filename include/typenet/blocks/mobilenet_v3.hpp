#pragma once
// MobileNetV3's blocks (Howard et al. 2019; torchvision's names): the bneck of the paper's tables
// 1 and 2, an inverted residual with an optional squeeze-excitation and a choice of non-linearity.
#include <ratio>

#include "block.hpp"
#include "../layers/hardsigmoid.hpp"
#include "../layers/hardswish.hpp"
#include "../layers/relu.hpp"
#include "inverted_bottleneck.hpp"
#include "squeeze_excitation.hpp"

namespace typenet {

namespace rule {
TYPENET_RULE(mobilenet_v3_bneck_positive, "mobilenet_v3::bneck: In, Out, Kernel and Expanded must be positive",
             "In {}, Out {}, Kernel {}, Expanded {}");
TYPENET_RULE(mobilenet_v3_bneck_stride, "mobilenet_v3::bneck: Stride must be 1 or 2", "Stride {}");
TYPENET_RULE(mobilenet_v3_bneck_input, "mobilenet_v3::bneck: input channels must equal In", "input channels {}, In {}");
}  // namespace rule

namespace ops {
using mobilenet_v3_bneck = inverted_bottleneck<rule::mobilenet_v3_bneck_positive, rule::mobilenet_v3_bneck_stride,
                                               rule::mobilenet_v3_bneck_input>;
}  // namespace ops

namespace mobilenet_v3 {

// torchvision's MobileNetV3 normalises with BatchNorm2d(eps=0.001).
using norm = basic_batch_norm<std::ratio<1, 1000>>;

// Conv2dNormActivation with that norm: conv (no bias), batch norm, NL (none if void).
template <int Out, int Kernel, int Stride, class NL, int Groups = 1>
using conv_bn = conv_norm_activation<Out, Kernel, Stride, Groups, norm, NL>;

namespace detail {
using typenet::detail::present_if;
// torchvision's InvertedResidual.block: expand (1x1, when Expanded != In), depthwise (Kernel,
// Stride), squeeze-excitation (when SE; squeezed to _make_divisible(Expanded / 4), relu, gated by
// hardsigmoid), project (1x1, linear); NL after the expansion and the depthwise conv.
template <int In, int Kernel, int Expanded, int Out, bool SE, class NL, int Stride>
using branch = typenet::detail::sequential_of_t<
    present_if<Expanded != In, conv_bn<Expanded, 1, 1, NL>>, conv_bn<Expanded, Kernel, Stride, NL, Expanded>,
    present_if<SE, squeeze_excitation<Expanded, make_divisible(Expanded / 4), relu, hardsigmoid>>, conv_bn<Out, 1, 1, void>>;
template <int In, int Kernel, int Expanded, int Out, bool SE, class NL, int Stride>
using body = typenet::detail::shortcut_if<Stride == 1 && In == Out, named<"block", branch<In, Kernel, Expanded, Out, SE, NL, Stride>>>;
}  // namespace detail

// One row of the paper's tables 1 and 2 (torchvision's bneck_conf): input channels, kernel, exp
// size, #out, SE, NL (relu or hardswish), stride. Adds the input when the shape is kept.
template <int In, int Kernel, int Expanded, int Out, bool SE, class NL, int Stride>
struct bneck : block_of<ops::mobilenet_v3_bneck, sequential<named<"", detail::body<In, Kernel, Expanded, Out, SE, NL, Stride>>>,
                        In, Out, Kernel, Stride, Expanded> {};

}  // namespace mobilenet_v3
}  // namespace typenet
