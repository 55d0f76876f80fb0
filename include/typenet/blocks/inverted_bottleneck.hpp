#pragma once
// What torchvision's mobile networks (MobileNetV2, MobileNetV3, EfficientNet) share: the
// Conv2dNormActivation unit, _make_divisible, the inverted bottleneck's optional shortcut, and one
// op kind for their blocks' rules.
#include <algorithm>
#include <string_view>
#include <type_traits>

#include "../layers/batch_norm.hpp"
#include "../layers/conv2d.hpp"
#include "../layers/identity.hpp"
#include "../layers/residual.hpp"
#include "../layers/sequential.hpp"

namespace typenet {

namespace ops {
// An inverted bottleneck block (mobilenet_v3::bneck, efficientnet::mbconv, fused_mbconv), checked
// before its layers with three rules whose API prefix ("<api>: ...") is also its kind:
//   Positive(in, out, kernel, expansion)   every size positive (expansion: the block's Expand or
//                                          Expanded parameter, as the rule's text names it);
//   Stride(stride)                         torchvision's blocks take stride 1 or 2 only;
//   Input(input channels, in)              the input has In channels.
template <class Positive, class Stride, class Input>
struct inverted_bottleneck {
  static constexpr std::string_view kind = Positive::text.substr(0, Positive::text.find(": "));
  struct attributes {
    int in = 0, out = 0, kernel = 0, stride = 1, expansion = 1;
  };
  using rules = rule_list<Positive, Stride, Input>;
  static constexpr ir::flow flow = ir::flow::chain;
  static constexpr verdict check(const attributes& a, dims in) {
    if (!(a.in > 0 && a.out > 0 && a.kernel > 0 && a.expansion > 0))
      return rules::template broken<Positive>({a.in, a.out, a.kernel, a.expansion});
    if (a.stride != 1 && a.stride != 2) return rules::template broken<Stride>({a.stride});
    if (in.channels != a.in) return rules::template broken<Input>({in.channels, a.in});
    return {};
  }
};
}  // namespace ops

namespace detail {
// sequential<Ls...> without the voids: a torchvision block's optional layers, numbered as
// torchvision numbers them (only the layers that are there).
template <class Kept, class... Ls>
struct sequential_of_present;
template <class... Kept>
struct sequential_of_present<type_list<Kept...>> {
  using type = sequential<Kept...>;
};
template <class... Kept, class L, class... Ls>
struct sequential_of_present<type_list<Kept...>, L, Ls...>
    : sequential_of_present<std::conditional_t<std::is_void_v<L>, type_list<Kept...>, type_list<Kept..., L>>, Ls...> {};
template <class... LayersOrVoid>
using sequential_of_t = typename sequential_of_present<type_list<>, LayersOrVoid...>::type;

// L if Present, else void (left out by sequential_of_t).
template <bool Present, class L>
using present_if = std::conditional_t<Present, L, void>;
}  // namespace detail

// torchvision's Conv2dNormActivation: conv (no bias, "same" padding (Kernel-1)/2), Norm, then
// Activation unless it is void (activation_layer=None); children 0, 1, 2.
template <int Out, int Kernel, int Stride, int Groups, class Norm, class Activation>
using conv_norm_activation = detail::sequential_of_t<conv2d<Out, Kernel, Stride, (Kernel - 1) / 2, Groups>, Norm, Activation>;

// torchvision's _make_divisible(v, divisor): v to the nearest multiple of the divisor, at least
// the divisor, and never more than 10% below v.
constexpr int make_divisible(double v, int divisor = 8) {
  int n = std::max(divisor, int(v + divisor / 2.0) / divisor * divisor);
  if (n < 0.9 * v) n += divisor;
  return n;
}

namespace detail {
// An inverted bottleneck's wiring: Branch plus the input when Shortcut (torchvision's
// use_res_connect: stride 1 and In == Out), else Plain alone (by default the same branch).
template <bool Shortcut, class Branch, class Plain = Branch>
using shortcut_if = std::conditional_t<Shortcut, residual<Branch, named<"", identity>>, sequential<Plain>>;
}  // namespace detail

}  // namespace typenet
