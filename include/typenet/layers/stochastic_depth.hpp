#pragma once
// stochastic_depth<P>: torchvision's StochasticDepth (drops whole residual branches in training),
// the identity at inference. There so that models read like their papers and torchvision.
#include <ratio>

#include "../layer.hpp"

namespace typenet {

namespace rule {
TYPENET_RULE(stochastic_depth_probability, "stochastic_depth: P must be in [0, 1]", "P {} x 1e-6");
}  // namespace rule

namespace ops {
struct stochastic_depth {
  static constexpr std::string_view kind = "stochastic_depth";
  struct attributes {
    float p = 0.0f;
  };
  using rules = rule_list<rule::stochastic_depth_probability>;
  static constexpr verdict check(const attributes& a, dims) {
    if (!(a.p >= 0 && a.p <= 1)) return rules::broken<rule::stochastic_depth_probability>({long(double(a.p) * 1e6)});
    return {};
  }
  static constexpr ir::wiring wiring{.call = false};  // no call: its output is its input
  static runtime::value emit(const attributes&, ir::emit_context& ctx) { return ctx.x; }
};
}  // namespace ops

template <class P>
struct stochastic_depth : layer_of<ops::stochastic_depth> {
  static constexpr ops::stochastic_depth::attributes attrs{float(double(P::num) / double(P::den))};
};

namespace dynamic {
inline layer stochastic_depth(float p) { return ir::make<ops::stochastic_depth>({p}); }
}  // namespace dynamic

}  // namespace typenet
