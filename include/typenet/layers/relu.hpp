#pragma once
// relu: y = max(x, 0). The planner lets the op before it apply it in its store.
#include <algorithm>

#include "../kernels/elementwise.hpp"
#include "pointwise.hpp"

namespace typenet {
namespace ops {
struct relu_fn {
  static constexpr std::string_view kind = "relu";
  static constexpr kernels::activation fused = kernels::activation::relu;
  template <class T>
  static T apply(T x) { return std::max(x, T(0)); }
  static void apply_fast(long n, const float* in, float* out) { kernels::relu(n, in, out); }
};
using relu = pointwise<relu_fn>;
}  // namespace ops

struct relu : layer_of<ops::relu> {};

namespace dynamic {
inline layer relu() { return ir::make<ops::relu>({}); }
}  // namespace dynamic
}  // namespace typenet
