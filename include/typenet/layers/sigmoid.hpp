#pragma once
// sigmoid: y = 1 / (1 + exp(-x)).
#include <cmath>

#include "pointwise.hpp"

namespace typenet {
namespace ops {
struct sigmoid_fn {
  static constexpr std::string_view kind = "sigmoid";
  static constexpr kernels::activation fused = kernels::activation::sigmoid;
  template <class T>
  static T apply(T x) { return T(1) / (T(1) + std::exp(-x)); }
};
using sigmoid = pointwise<sigmoid_fn>;
}  // namespace ops

struct sigmoid : layer_of<ops::sigmoid> {};

namespace dynamic {
inline layer sigmoid() { return ir::make<ops::sigmoid>({}); }
}  // namespace dynamic
}  // namespace typenet
