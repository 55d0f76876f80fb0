#pragma once
// channel_shuffle<Groups>: ShuffleNet's shuffle, x.view(N, G, C/G, H, W).transpose(1, 2): output
// channel j*G + g is input channel g*(C/G) + j.
#include "gather.hpp"

namespace typenet {

namespace rule {
TYPENET_RULE(channel_shuffle_groups, "channel_shuffle: input channels must be divisible by Groups (Groups > 0)",
             "input channels {}, Groups {}");
}  // namespace rule

namespace ops {
struct channel_shuffle {
  static constexpr std::string_view kind = "channel_shuffle";
  struct attributes {
    int groups = 2;
  };
  using rules = rule_list<rule::channel_shuffle_groups>;
  static constexpr verdict check(const attributes& a, dims in) {
    if (!(a.groups > 0 && in.channels % a.groups == 0)) return rules::broken<rule::channel_shuffle_groups>({in.channels, a.groups});
    return {};
  }
  static constexpr runtime::fusion_traits fusion = detail::gather_fusion;
  static runtime::value emit(const attributes& a, ir::emit_context& ctx) {
    const int per_group = ctx.in.channels / a.groups;
    std::vector<kernels::channel_source> table;
    for (int j = 0; j < per_group; ++j)
      for (int g = 0; g < a.groups; ++g) table.push_back({0, g * per_group + j});
    return detail::emit_gather(ctx, {ctx.x}, std::move(table));
  }
};
}  // namespace ops

template <int Groups>
struct channel_shuffle : layer_of<ops::channel_shuffle> {
  static constexpr ops::channel_shuffle::attributes attrs{Groups};
};

namespace dynamic {
inline layer channel_shuffle(int groups) { return ir::make<ops::channel_shuffle>({groups}); }
}  // namespace dynamic

}  // namespace typenet
