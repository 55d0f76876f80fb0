#pragma once
// MNASNet's blocks (Tan et al. 2019, the B1 variant; torchvision's names): the inverted residual
// with a 3x3 or 5x5 depthwise convolution, and torchvision's _stack of them.
#include <type_traits>

#include "block.hpp"
#include "../layers/batch_norm.hpp"
#include "../layers/conv2d.hpp"
#include "../layers/identity.hpp"
#include "../layers/relu.hpp"
#include "../layers/residual.hpp"
#include "../layers/sequential.hpp"
#include "bottleneck.hpp"

namespace typenet {

namespace rule {
TYPENET_RULE(mnasnet_inverted_residual_positive, "mnasnet::inverted_residual: In, Out and Expand must be positive",
             "In {}, Out {}, Expand {}");
TYPENET_RULE(mnasnet_inverted_residual_kernel, "mnasnet::inverted_residual: Kernel must be 3 or 5 and Stride 1 or 2",
             "Kernel {}, Stride {}");
TYPENET_RULE(mnasnet_inverted_residual_input, "mnasnet::inverted_residual: input channels must equal In", "input channels {}, In {}");
TYPENET_RULE(mnasnet_stack_empty, "mnasnet::stack: needs at least one block", "{} blocks");
}  // namespace rule

namespace ops {
struct mnasnet_inverted_residual {
  static constexpr std::string_view kind = "mnasnet::inverted_residual";
  struct attributes {
    int in = 0, out = 0, kernel = 3, stride = 1, expand = 1;
  };
  using rules = rule_list<rule::mnasnet_inverted_residual_positive, rule::mnasnet_inverted_residual_kernel,
                          rule::mnasnet_inverted_residual_input>;
  static constexpr ir::flow flow = ir::flow::chain;
  static constexpr verdict check(const attributes& a, dims in) {
    if (!(a.in > 0 && a.out > 0 && a.expand > 0))
      return rules::broken<rule::mnasnet_inverted_residual_positive>({a.in, a.out, a.expand});
    if (!((a.kernel == 3 || a.kernel == 5) && (a.stride == 1 || a.stride == 2)))
      return rules::broken<rule::mnasnet_inverted_residual_kernel>({a.kernel, a.stride});
    if (in.channels != a.in) return rules::broken<rule::mnasnet_inverted_residual_input>({in.channels, a.in});
    return {};
  }
};

using mnasnet_stack = stage<rule::mnasnet_stack_empty>;
}  // namespace ops

namespace mnasnet {

namespace detail {
// Pointwise to In*Expand (BN, ReLU), depthwise Kernel x Kernel (Stride; BN, ReLU), linear
// pointwise to Out (BN): torchvision's `layers`, children 0-7.
template <int Out, int Kernel, int Stride, int Mid>
using layers = sequential<conv2d<Mid, 1>, batch_norm, relu, conv2d<Mid, Kernel, Stride, Kernel / 2, Mid>, batch_norm, relu,
                          conv2d<Out, 1>, batch_norm>;
// With the input added exactly when the shape is kept (torchvision's apply_residual).
template <int In, int Out, int Kernel, int Stride, int Expand>
using body = std::conditional_t<In == Out && Stride == 1,
                                residual<named<"layers", layers<Out, Kernel, Stride, In * Expand>>, named<"", identity>>,
                                sequential<named<"layers", layers<Out, Kernel, Stride, In * Expand>>>>;
}  // namespace detail

// torchvision's _InvertedResidual(in_ch, out_ch, kernel_size, stride, expansion_factor).
template <int In, int Out, int Kernel, int Stride, int Expand>
struct inverted_residual
    : block_of<ops::mnasnet_inverted_residual, sequential<named<"", detail::body<In, Out, Kernel, Stride, Expand>>>, In, Out,
               Kernel, Stride, Expand> {};

// torchvision's _stack: Repeats blocks to Out channels, the first with the stride (and no skip).
template <int In, int Out, int Kernel, int Stride, int Expand, int Repeats>
struct stack : block_of<ops::mnasnet_stack,
                        typenet::detail::stage_t<inverted_residual<In, Out, Kernel, Stride, Expand>,
                                                 inverted_residual<Out, Out, Kernel, 1, Expand>, Repeats>,
                        Repeats> {};

}  // namespace mnasnet
}  // namespace typenet
