#pragma once
// silu (swish): y = x * sigmoid(x) (EfficientNet).
#include <cmath>

#include "pointwise.hpp"

namespace typenet {
namespace ops {
struct silu_fn {
  static constexpr std::string_view kind = "silu";
  static constexpr kernels::activation fused = kernels::activation::silu;
  template <class T>
  static T apply(T x) { return x / (T(1) + std::exp(-x)); }
};
using silu = pointwise<silu_fn>;
}  // namespace ops

struct silu : layer_of<ops::silu> {};

namespace dynamic {
inline layer silu() { return ir::make<ops::silu>({}); }
}  // namespace dynamic
}  // namespace typenet
