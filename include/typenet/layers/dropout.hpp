#pragma once
// dropout<P = 1/2>: the identity at inference. It is there so that a model's layer indices, and
// so its state_dict names, line up with PyTorch's (classifier = Sequential(Dropout, Linear)).
#include <ratio>

#include "../layer.hpp"

namespace typenet {

namespace rule {
TYPENET_RULE(dropout_probability, "dropout: P must be in [0, 1)", "P {} x 1e-6");
}  // namespace rule

namespace ops {
struct dropout {
  static constexpr std::string_view kind = "dropout";
  struct attributes {
    float p = 0.5f;
  };
  using rules = rule_list<rule::dropout_probability>;
  static constexpr verdict check(const attributes& a, dims) {
    if (!(a.p >= 0 && a.p < 1)) return rules::broken<rule::dropout_probability>({long(double(a.p) * 1e6)});
    return {};
  }
  static constexpr ir::wiring wiring{.call = false};  // no call: its output is its input
  static runtime::value emit(const attributes&, ir::emit_context& ctx) { return ctx.x; }
};
}  // namespace ops

template <class P = std::ratio<1, 2>>
struct dropout : layer_of<ops::dropout> {
  static constexpr ops::dropout::attributes attrs{float(double(P::num) / double(P::den))};
};

namespace dynamic {
inline layer dropout(float p = 0.5f) { return ir::make<ops::dropout>({p}); }
}  // namespace dynamic

}  // namespace typenet
