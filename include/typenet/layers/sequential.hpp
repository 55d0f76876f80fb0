#pragma once
// sequential: layers applied one after the other. Children are named by index ("0", "1", ...)
// unless wrapped in named<>, like torch.nn.Sequential.
#include "../layer.hpp"

namespace typenet {

namespace rule {
TYPENET_RULE(sequential_empty, "sequential: needs at least one layer", "{} layers");
}  // namespace rule

namespace ops {
struct sequential {
  static constexpr std::string_view kind = "sequential";
  struct attributes {};
  using rules = rule_list<rule::sequential_empty>;
  static constexpr ir::flow flow = ir::flow::chain;
  static constexpr outcome join(const attributes&, dims in, const dims* outs, int n) {
    if (n == 0) return {rules::broken<rule::sequential_empty>({0}), in};
    return {{}, outs[n - 1]};
  }
};
}  // namespace ops

template <class... Layers>
struct sequential : composite_of<ops::sequential, Layers...> {};

namespace dynamic {
inline layer sequential(std::vector<layer> children) { return ir::make<ops::sequential>({}, std::move(children)); }
}  // namespace dynamic

}  // namespace typenet
