#pragma once
// torchvision's ResNet family: the Bottleneck (resnet50/101/152, wide_resnet50_2, resnext101_*)
// and the BasicBlock (resnet18/34), with their stages (_make_layer).
#include "block.hpp"
#include "bottleneck.hpp"

namespace typenet {

namespace rule {
TYPENET_RULE(resnet_stack_empty, "resnet::stack: needs at least one block", "{} blocks");
TYPENET_RULE(resnet_basic_stack_empty, "resnet::basic_stack: needs at least one block", "{} blocks");
TYPENET_RULE(basic_block_identity_channels, "resnet::basic_block: identity shortcut needs input channels == Planes",
             "input channels {}, Planes {}");
TYPENET_RULE(basic_block_identity_stride, "resnet::basic_block: identity shortcut cannot downsample (Stride must be 1)",
             "Stride {}");
}  // namespace rule

namespace ops {
using resnet_stack = stage<rule::resnet_stack_empty>;
using resnet_basic_stack = stage<rule::resnet_basic_stack_empty>;

// The BasicBlock's own rules, checked before its layers: a chain of its children otherwise.
struct basic_block {
  static constexpr std::string_view kind = "resnet::basic_block";
  struct attributes {
    int planes = 0, stride = 1;
    bool projection = false;
  };
  using rules = rule_list<rule::basic_block_identity_channels, rule::basic_block_identity_stride>;
  static constexpr ir::flow flow = ir::flow::chain;
  static constexpr verdict check(const attributes& a, dims in) {
    if (!a.projection && in.channels != a.planes) return rules::broken<rule::basic_block_identity_channels>({in.channels, a.planes});
    if (!a.projection && a.stride != 1) return rules::broken<rule::basic_block_identity_stride>({a.stride});
    return {};
  }
};
}  // namespace ops

namespace resnet {

// torchvision's Bottleneck: width = Planes * WidthPerGroup / 64 * Groups, output 4*Planes
// (resnet50: Groups 1, WidthPerGroup 64; wide_resnet50_2: 1, 128; resnext101_32x8d: 32, 8).
template <int Planes, int Stride, bool Projection, int Groups = 1, int WidthPerGroup = 64>
struct block : bottleneck<Planes * WidthPerGroup / 64 * Groups, 4 * Planes, Stride, Groups, Projection> {
  static constexpr std::string_view kind = "resnet::block";
};

// torchvision's _make_layer: Blocks blocks, the first projecting to 4*Planes with the stride.
template <int Planes, int Blocks, int Stride, int Groups = 1, int WidthPerGroup = 64>
struct stack : block_of<ops::resnet_stack,
                        typenet::detail::stage_t<block<Planes, Stride, true, Groups, WidthPerGroup>,
                                                 block<Planes, 1, false, Groups, WidthPerGroup>, Blocks>,
                        Blocks> {};

namespace detail {
template <int Planes, int Stride, bool Projection>
using basic_body = sequential<
    named<"", residual<named<"", sequential<named<"conv1", conv2d<Planes, 3, Stride, 1>>, named<"bn1", batch_norm>,
                                            named<"relu", relu>, named<"conv2", conv2d<Planes, 3, 1, 1>>, named<"bn2", batch_norm>>>,
                       std::conditional_t<Projection, named<"downsample", sequential<conv2d<Planes, 1, Stride>, batch_norm>>,
                                          named<"", identity>>>>,
    named<"relu", relu>>;
}  // namespace detail

// torchvision's BasicBlock: 3x3 (Stride) and 3x3 to Planes, each with batch norm; shortcut = a
// strided 1x1 projection with batch norm, or the input itself; add; ReLU.
template <int Planes, int Stride, bool Projection>
struct basic_block : block_of<ops::basic_block, detail::basic_body<Planes, Stride, Projection>, Planes, Stride, Projection> {};

// _make_layer for BasicBlocks: the first block projects when it downsamples (resnet18/34: every
// stage but the first, which already sees 64 channels).
template <int Planes, int Blocks, int Stride, bool Projection = (Stride != 1)>
struct basic_stack
    : block_of<ops::resnet_basic_stack,
               typenet::detail::stage_t<basic_block<Planes, Stride, Projection>, basic_block<Planes, 1, false>, Blocks>, Blocks> {
};

}  // namespace resnet
}  // namespace typenet
