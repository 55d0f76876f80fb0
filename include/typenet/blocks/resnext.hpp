#pragma once
#include "block.hpp"
#include "bottleneck.hpp"

namespace typenet {

namespace rule {
TYPENET_RULE(resnext_block_positive, "resnext::block: Filters, Stride and Groups must be positive", "Filters {}, Stride {}, Groups {}");
TYPENET_RULE(resnext_block_groups, "resnext::block: Filters must be divisible by Groups", "Filters {}, Groups {}");
TYPENET_RULE(resnext_block_identity_channels, "resnext::block: identity shortcut needs input channels == 2*Filters",
             "input channels {}, 2*Filters {}");
TYPENET_RULE(resnext_block_identity_stride, "resnext::block: identity shortcut cannot downsample (Stride must be 1)", "Stride {}");
TYPENET_RULE(resnext_stack_empty, "resnext::stack: needs at least one block", "{} blocks");
}  // namespace rule

namespace ops {
// The seed's block: its own rules in the seed's words, checked before its layers.
struct resnext_block {
  static constexpr std::string_view kind = "resnext::block";
  struct attributes {
    int filters = 0, stride = 1, groups = 32;
    bool conv_shortcut = false;
  };
  using rules = rule_list<rule::resnext_block_positive, rule::resnext_block_groups, rule::resnext_block_identity_channels,
                          rule::resnext_block_identity_stride>;
  static constexpr ir::flow flow = ir::flow::chain;
  static constexpr verdict check(const attributes& a, dims in) {
    if (!(a.filters > 0 && a.stride > 0 && a.groups > 0))
      return rules::broken<rule::resnext_block_positive>({a.filters, a.stride, a.groups});
    if (a.filters % a.groups != 0) return rules::broken<rule::resnext_block_groups>({a.filters, a.groups});
    if (!a.conv_shortcut && in.channels != 2 * a.filters)
      return rules::broken<rule::resnext_block_identity_channels>({in.channels, 2 * a.filters});
    if (!a.conv_shortcut && a.stride != 1) return rules::broken<rule::resnext_block_identity_stride>({a.stride});
    return {};
  }
};

using resnext_stack = stage<rule::resnext_stack_empty>;
}  // namespace ops

namespace resnext {

// The seed's block(x, filters, strides, groups, conv_shortcut): residual branch ends in 2*Filters
// channels; the shortcut is a strided 1x1 projection when ConvShortcut, else the input itself.
template <int Filters, int Stride, bool ConvShortcut, int Groups = 32>
struct block : block_of<ops::resnext_block, bottleneck<Filters, 2 * Filters, Stride, Groups, ConvShortcut>, Filters, Stride, Groups,
                        ConvShortcut> {
  using base = bottleneck<Filters, 2 * Filters, Stride, Groups, ConvShortcut>;
};

// keras-applications' stack3: exactly Blocks blocks, the first projecting to 2*Filters (with the
// stride), so every identity block after it sees matching channels. (The seed's `for i in
// range(blocks)` after the first block builds Blocks + 1.)
template <int Filters, int Blocks, int Stride, int Groups = 32>
struct stack
    : block_of<ops::resnext_stack,
               typenet::detail::stage_t<block<Filters, Stride, true, Groups>, block<Filters, 1, false, Groups>, Blocks>, Blocks> {
  static constexpr int blocks = Blocks;
};

}  // namespace resnext
}  // namespace typenet
