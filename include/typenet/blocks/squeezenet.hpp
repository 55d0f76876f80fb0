#pragma once
// SqueezeNet's blocks (Iandola et al. 2016; torchvision's names): the fire module, a 1x1
// "squeeze" layer feeding an "expand" layer of 1x1 and 3x3 filters side by side, and the
// classifier, a 1x1 convolution to the classes whose ReLU'd maps are averaged (no linear layer).
#include <ratio>

#include "../layers/adaptive_avg_pool.hpp"
#include "../layers/concat.hpp"
#include "../layers/conv2d.hpp"
#include "../layers/dropout.hpp"
#include "../layers/relu.hpp"
#include "../layers/sequential.hpp"
#include "block.hpp"

namespace typenet {

namespace rule {
TYPENET_RULE(fire_positive, "squeezenet::fire: Squeeze, Expand1x1 and Expand3x3 must be positive",
             "Squeeze {}, Expand1x1 {}, Expand3x3 {}");
}  // namespace rule

namespace ops {
struct fire {
  static constexpr std::string_view kind = "squeezenet::fire";
  struct attributes {
    int squeeze = 0, expand1x1 = 0, expand3x3 = 0;
  };
  using rules = rule_list<rule::fire_positive>;
  static constexpr ir::flow flow = ir::flow::chain;
  static constexpr verdict check(const attributes& a, dims) {
    if (!(a.squeeze > 0 && a.expand1x1 > 0 && a.expand3x3 > 0))
      return rules::broken<rule::fire_positive>({a.squeeze, a.expand1x1, a.expand3x3});
    return {};
  }
};
}  // namespace ops

namespace squeezenet {

namespace detail {
template <int Squeeze, int Expand1x1, int Expand3x3>
using fire_body = sequential<
    named<"squeeze", conv2d<Squeeze, 1, 1, 0, 1, true>>, named<"squeeze_activation", relu>,
    named<"", concat<named<"", sequential<named<"expand1x1", conv2d<Expand1x1, 1, 1, 0, 1, true>>, named<"expand1x1_activation", relu>>>,
                     named<"", sequential<named<"expand3x3", conv2d<Expand3x3, 3, 1, 1, 1, true>>, named<"expand3x3_activation", relu>>>>>>;
}  // namespace detail

// The fire module: squeeze to Squeeze channels (1x1), then Expand1x1 1x1 filters and Expand3x3
// 3x3 filters on the squeezed maps, concatenated: Expand1x1 + Expand3x3 channels out, same size.
template <int Squeeze, int Expand1x1, int Expand3x3>
struct fire : block_of<ops::fire, detail::fire_body<Squeeze, Expand1x1, Expand3x3>, Squeeze, Expand1x1, Expand3x3> {};

// The classifier: dropout, the final 1x1 convolution to Classes (with bias), ReLU, the average of
// each class map (classifier.0 ... classifier.3; torchvision flattens after it).
template <int Classes>
using classifier = sequential<dropout<std::ratio<1, 2>>, conv2d<Classes, 1, 1, 0, 1, true>, relu, adaptive_avg_pool<1, 1>>;

}  // namespace squeezenet
}  // namespace typenet
