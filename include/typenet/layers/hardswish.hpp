#pragma once
// hardswish: y = x * relu6(x + 3) / 6, PyTorch's (MobileNetV3).
#include <algorithm>

#include "pointwise.hpp"

namespace typenet {
namespace ops {
struct hardswish_fn {
  static constexpr std::string_view kind = "hardswish";
  static constexpr kernels::activation fused = kernels::activation::hardswish;
  template <class T>
  static T apply(T x) { return x * std::min(std::max(x + T(3), T(0)), T(6)) / T(6); }
};
using hardswish = pointwise<hardswish_fn>;
}  // namespace ops

struct hardswish : layer_of<ops::hardswish> {};

namespace dynamic {
inline layer hardswish() { return ir::make<ops::hardswish>({}); }
}  // namespace dynamic
}  // namespace typenet
