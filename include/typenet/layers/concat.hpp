#pragma once
// concat<Branches...>: every branch sees the input; their outputs are stacked along channels, in
// order (torch.cat(dim=1)): Inception's and GoogLeNet's modules, DenseNet's growing features.
#include "gather.hpp"

namespace typenet {

namespace rule {
TYPENET_RULE(concat_branches, "concat: needs 1 to 8 branches (nest concats for more)", "{} branches");
TYPENET_RULE(concat_spatial, "concat: every branch must give the same height and width",
             "branch {} gives {}x{}, branch 0 gives {}x{}");
}  // namespace rule

namespace ops {
struct concat {
  static constexpr std::string_view kind = "concat";
  struct attributes {};
  using rules = rule_list<rule::concat_branches, rule::concat_spatial>;
  static constexpr ir::flow flow = ir::flow::parallel;
  static constexpr int max_branches = runtime::io::max_inputs;
  static constexpr runtime::fusion_traits fusion = detail::concat_fusion;

  static constexpr outcome join(const attributes&, dims in, const dims* outs, int n) {
    if (n < 1 || n > max_branches) return {rules::broken<rule::concat_branches>({n}), in};
    dims out = outs[0];
    for (int i = 1; i < n; ++i) {
      if (outs[i].height != out.height || outs[i].width != out.width)
        return {rules::broken<rule::concat_spatial>({i, outs[i].height, outs[i].width, out.height, out.width}), in};
      out.channels += outs[i].channels;
    }
    return {{}, out};
  }

  static runtime::value emit(const attributes&, ir::emit_context& ctx) {
    std::vector<runtime::value> inputs;
    std::vector<kernels::channel_source> table;
    for (int i = 0; i < ctx.children; ++i) {
      inputs.push_back(ctx.child(i, ctx.x));
      for (int c = 0; c < ctx.plan.shape(inputs.back()).channels; ++c) table.push_back({i, c});
    }
    return detail::emit_gather(ctx, std::move(inputs), std::move(table), true);
  }
};
}  // namespace ops

template <class... Branches>
struct concat : composite_of<ops::concat, Branches...> {};

namespace dynamic {
inline layer concat(std::vector<layer> branches) { return ir::make<ops::concat>({}, std::move(branches)); }
}  // namespace dynamic

}  // namespace typenet
