#pragma once
// relu6: y = min(max(x, 0), 6) (MobileNets).
#include <algorithm>

#include "../kernels/elementwise.hpp"
#include "pointwise.hpp"

namespace typenet {
namespace ops {
struct relu6_fn {
  static constexpr std::string_view kind = "relu6";
  static constexpr kernels::activation fused = kernels::activation::relu6;
  template <class T>
  static T apply(T x) { return std::min(std::max(x, T(0)), T(6)); }
  static void apply_fast(long n, const float* in, float* out) { kernels::clamp(n, in, 0.0f, 6.0f, out); }
};
using relu6 = pointwise<relu6_fn>;
}  // namespace ops

struct relu6 : layer_of<ops::relu6> {};

namespace dynamic {
inline layer relu6() { return ir::make<ops::relu6>({}); }
}  // namespace dynamic
}  // namespace typenet
