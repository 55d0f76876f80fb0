#pragma once
// torchvision's efficientnet_b0 and efficientnet_v2_s: the stage tables as types.
#include "../blocks/efficientnet.hpp"
#include "../layers/dropout.hpp"
#include "../layers/global_avg_pool.hpp"
#include "../layers/linear.hpp"
#include "../model.hpp"

namespace typenet::models {

namespace detail {
// After the features: avgpool, then dropout 0.2 and the Linear classifier.
template <int H, int W, int Classes, class Features>
using efficientnet = model<input<3, H, W>, named<"features", Features>, named<"avgpool", global_avg_pool>,
                           named<"classifier", sequential<dropout<std::ratio<1, 5>>, linear<Classes>>>>;
// EfficientNetV2's BatchNorm2d(eps=1e-3) (B0 keeps PyTorch's 1e-5).
using efficientnet_v2_norm = basic_batch_norm<std::ratio<1, 1000>>;
}  // namespace detail

template <int H, int W, int Classes = 1000>
using efficientnet_b0_t = detail::efficientnet<
    H, W, Classes,
    efficientnet::features<efficientnet::conv_bn_silu<32, 3, 2>,
                           //                  e  k  s  in   out  layers
                           efficientnet::stage<1, 3, 1, 32,  16,  1>,
                           efficientnet::stage<6, 3, 2, 16,  24,  2>,
                           efficientnet::stage<6, 5, 2, 24,  40,  2>,
                           efficientnet::stage<6, 3, 2, 40,  80,  3>,
                           efficientnet::stage<6, 5, 1, 80,  112, 3>,
                           efficientnet::stage<6, 5, 2, 112, 192, 4>,
                           efficientnet::stage<6, 3, 1, 192, 320, 1>,
                           efficientnet::conv_bn_silu<1280, 1, 1>>>;

template <int H, int W, int Classes = 1000>
using efficientnet_v2_s_t = detail::efficientnet<
    H, W, Classes,
    efficientnet::features<efficientnet::conv_bn_silu<24, 3, 2, detail::efficientnet_v2_norm>,
                           //                        e  k  s  in   out  layers
                           efficientnet::fused_stage<1, 3, 1, 24,  24,  2,  detail::efficientnet_v2_norm>,
                           efficientnet::fused_stage<4, 3, 2, 24,  48,  4,  detail::efficientnet_v2_norm>,
                           efficientnet::fused_stage<4, 3, 2, 48,  64,  4,  detail::efficientnet_v2_norm>,
                           efficientnet::stage      <4, 3, 2, 64,  128, 6,  detail::efficientnet_v2_norm>,
                           efficientnet::stage      <6, 3, 1, 128, 160, 9,  detail::efficientnet_v2_norm>,
                           efficientnet::stage      <6, 3, 2, 160, 256, 15, detail::efficientnet_v2_norm>,
                           efficientnet::conv_bn_silu<1280, 1, 1, detail::efficientnet_v2_norm>>>;

using efficientnet_b0 = efficientnet_b0_t<224, 224>;
using efficientnet_v2_s = efficientnet_v2_s_t<224, 224>;

}  // namespace typenet::models
