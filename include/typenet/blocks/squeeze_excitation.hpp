#pragma once
// Squeeze-excitation (Hu et al. 2018), as torchvision's ops.SqueezeExcitation: the input scaled
// by a per-channel gate made from its global average (avgpool, fc1, activation, fc2,
// scale_activation; fc1 and fc2 are 1x1 convs with bias). MobileNetV3 gates with hardsigmoid,
// EfficientNet squeezes through silu, RegNetY through relu.
#include "../layers/conv2d.hpp"
#include "../layers/global_avg_pool.hpp"
#include "../layers/relu.hpp"
#include "../layers/scale.hpp"
#include "../layers/sequential.hpp"
#include "../layers/sigmoid.hpp"

namespace typenet {

namespace rule {
TYPENET_RULE(squeeze_excitation_positive, "squeeze_excitation: Channels and Squeeze must be positive",
             "Channels {}, Squeeze {}");
TYPENET_RULE(squeeze_excitation_input, "squeeze_excitation: input channels must equal Channels",
             "input channels {}, Channels {}");
}  // namespace rule

namespace ops {
struct squeeze_excitation {
  static constexpr std::string_view kind = "squeeze_excitation";
  struct attributes {
    int channels = 0, squeeze = 0;
  };
  using rules = rule_list<rule::squeeze_excitation_positive, rule::squeeze_excitation_input>;
  static constexpr ir::flow flow = ir::flow::chain;
  static constexpr verdict check(const attributes& a, dims in) {
    if (!(a.channels > 0 && a.squeeze > 0)) return rules::broken<rule::squeeze_excitation_positive>({a.channels, a.squeeze});
    if (in.channels != a.channels) return rules::broken<rule::squeeze_excitation_input>({in.channels, a.channels});
    return {};
  }
};
}  // namespace ops

namespace detail {
template <int Channels, int Squeeze, class Activation, class Gate>
using squeeze_excitation_gate =
    sequential<named<"avgpool", global_avg_pool>, named<"fc1", conv2d<Squeeze, 1, 1, 0, 1, true>>, named<"activation", Activation>,
               named<"fc2", conv2d<Channels, 1, 1, 0, 1, true>>, named<"scale_activation", Gate>>;
}  // namespace detail

// squeeze_excitation<Channels, Squeeze, Activation = relu, Gate = sigmoid>
template <int Channels, int Squeeze, class Activation = relu, class Gate = sigmoid>
struct squeeze_excitation
    : sequential<named<"", scale<named<"", detail::squeeze_excitation_gate<Channels, Squeeze, Activation, Gate>>>>> {
  using op = ops::squeeze_excitation;
  static constexpr std::string_view kind = op::kind;
  static constexpr op::attributes attrs{Channels, Squeeze};
};

namespace dynamic {
inline layer squeeze_excitation(int channels, int squeeze, layer activation = relu(), layer gate = sigmoid()) {
  layer body = sequential({named("avgpool", global_avg_pool()), named("fc1", conv2d(squeeze, 1, 1, 0, 1, true)),
                           named("activation", std::move(activation)), named("fc2", conv2d(channels, 1, 1, 0, 1, true)),
                           named("scale_activation", std::move(gate))});
  layer se = ir::make<ops::squeeze_excitation>({channels, squeeze}, {transparent(scale(transparent(std::move(body))))});
  return se;
}
}  // namespace dynamic

}  // namespace typenet
