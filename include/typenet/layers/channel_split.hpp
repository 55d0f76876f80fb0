#pragma once
// channel_split<Part, Parts = 2>: part Part of x.chunk(Parts, dim=1), the split ShuffleNetV2's
// units start with.
#include "gather.hpp"

namespace typenet {

namespace rule {
TYPENET_RULE(channel_split_part, "channel_split: needs Parts > 0 and 0 <= Part < Parts", "Part {}, Parts {}");
TYPENET_RULE(channel_split_divisible, "channel_split: input channels must be divisible by Parts",
             "input channels {}, Parts {}");
}  // namespace rule

namespace ops {
struct channel_split {
  static constexpr std::string_view kind = "channel_split";
  struct attributes {
    int part = 0, parts = 2;
  };
  using rules = rule_list<rule::channel_split_part, rule::channel_split_divisible>;
  static constexpr verdict check(const attributes& a, dims in) {
    if (!(a.parts > 0 && a.part >= 0 && a.part < a.parts)) return rules::broken<rule::channel_split_part>({a.part, a.parts});
    if (in.channels % a.parts != 0) return rules::broken<rule::channel_split_divisible>({in.channels, a.parts});
    return {};
  }
  static constexpr dims output(const attributes& a, dims in) { return {in.channels / a.parts, in.height, in.width}; }
  static constexpr runtime::fusion_traits fusion = detail::gather_fusion;
  static runtime::value emit(const attributes& a, ir::emit_context& ctx) {
    std::vector<kernels::channel_source> table;
    for (int c = 0; c < ctx.out.channels; ++c) table.push_back({0, a.part * ctx.out.channels + c});
    return detail::emit_gather(ctx, {ctx.x}, std::move(table));
  }
};
}  // namespace ops

template <int Part, int Parts = 2>
struct channel_split : layer_of<ops::channel_split> {
  static constexpr ops::channel_split::attributes attrs{Part, Parts};
};

namespace dynamic {
inline layer channel_split(int part, int parts = 2) { return ir::make<ops::channel_split>({part, parts}); }
}  // namespace dynamic

}  // namespace typenet
