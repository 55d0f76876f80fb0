#pragma once
// torchvision's VGG (Simonyan & Zisserman 2014, with batch norm) and AlexNet, as types with
// torchvision's exact parameter counts and state_dict names.
#include <type_traits>

#include "../layers/adaptive_avg_pool.hpp"
#include "../layers/batch_norm.hpp"
#include "../layers/conv2d.hpp"
#include "../layers/dropout.hpp"
#include "../layers/flatten.hpp"
#include "../layers/linear.hpp"
#include "../layers/max_pool.hpp"
#include "../layers/relu.hpp"
#include "../layers/sequential.hpp"
#include "../model.hpp"

namespace typenet {
namespace vgg {

inline constexpr int M = 0;  // in a configuration: a 2x2 max pool

namespace detail {
using typenet::detail::type_list;
// torchvision's make_layers: each number a 3x3 conv (with bias) [+ batch norm] + ReLU, each M a
// 2x2 max pool, all in one list (features.0, features.1, ...).
template <bool BatchNorm, class List, int... Cfg>
struct make;
template <bool BatchNorm, class... Ls>
struct make<BatchNorm, type_list<Ls...>> {
  using type = sequential<Ls...>;
};
template <bool BatchNorm, class... Ls, int... Rest>
struct make<BatchNorm, type_list<Ls...>, M, Rest...> : make<BatchNorm, type_list<Ls..., max_pool<2, 2>>, Rest...> {};
template <bool BatchNorm, class... Ls, int C, int... Rest>
struct make<BatchNorm, type_list<Ls...>, C, Rest...>
    : make<BatchNorm,
           std::conditional_t<BatchNorm, type_list<Ls..., conv2d<C, 3, 1, 1, 1, true>, batch_norm, relu>,
                              type_list<Ls..., conv2d<C, 3, 1, 1, 1, true>, relu>>,
           Rest...> {};
}  // namespace detail

// A VGG configuration (the paper's table 1 column) as one sequential of layers.
template <bool BatchNorm, int... Cfg>
using features = typename detail::make<BatchNorm, detail::type_list<>, Cfg...>::type;

}  // namespace vgg

namespace models {

template <int H, int W, int Classes, class Features>
using vgg_t = model<input<3, H, W>, named<"features", Features>, named<"avgpool", adaptive_avg_pool<7>>,
                    named<"", flatten>,  // torch.flatten: no module, no state_dict entry
                    named<"classifier", sequential<linear<4096>, relu, dropout<>, linear<4096>, relu, dropout<>, linear<Classes>>>>;

template <int H, int W, int Classes = 1000>
using vgg11_bn_t = vgg_t<H, W, Classes, vgg::features<true, 64, vgg::M, 128, vgg::M, 256, 256, vgg::M, 512, 512, vgg::M, 512, 512, vgg::M>>;
template <int H, int W, int Classes = 1000>
using vgg16_bn_t = vgg_t<H, W, Classes,
                         vgg::features<true, 64, 64, vgg::M, 128, 128, vgg::M, 256, 256, 256, vgg::M, 512, 512, 512, vgg::M,
                                       512, 512, 512, vgg::M>>;

// AlexNet as torchvision has it (the one-GPU variant of Krizhevsky et al.'s network).
template <int H, int W, int Classes = 1000>
using alexnet_t = model<
    input<3, H, W>,
    named<"features", sequential<conv2d<64, 11, 4, 2, 1, true>, relu, max_pool<3, 2>, conv2d<192, 5, 1, 2, 1, true>, relu,
                                 max_pool<3, 2>, conv2d<384, 3, 1, 1, 1, true>, relu, conv2d<256, 3, 1, 1, 1, true>, relu,
                                 conv2d<256, 3, 1, 1, 1, true>, relu, max_pool<3, 2>>>,
    named<"avgpool", adaptive_avg_pool<6>>, named<"", flatten>,
    named<"classifier", sequential<dropout<>, linear<4096>, relu, dropout<>, linear<4096>, relu, linear<Classes>>>>;

using vgg11_bn = vgg11_bn_t<224, 224>;
using vgg16_bn = vgg16_bn_t<224, 224>;
using alexnet = alexnet_t<224, 224>;

}  // namespace models
}  // namespace typenet
