#pragma once
// hardsigmoid: y = relu6(x + 3) / 6, PyTorch's (MobileNetV3's squeeze-excitation gate).
#include <algorithm>

#include "pointwise.hpp"

namespace typenet {
namespace ops {
struct hardsigmoid_fn {
  static constexpr std::string_view kind = "hardsigmoid";
  static constexpr kernels::activation fused = kernels::activation::hardsigmoid;
  template <class T>
  static T apply(T x) { return std::min(std::max(x + T(3), T(0)), T(6)) / T(6); }
};
using hardsigmoid = pointwise<hardsigmoid_fn>;
}  // namespace ops

struct hardsigmoid : layer_of<ops::hardsigmoid> {};

namespace dynamic {
inline layer hardsigmoid() { return ir::make<ops::hardsigmoid>({}); }
}  // namespace dynamic
}  // namespace typenet
