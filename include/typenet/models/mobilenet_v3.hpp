#pragma once
// torchvision's mobilenet_v3_large and mobilenet_v3_small (width 1.0): the paper's tables 1 and 2
// as types.
#include "../blocks/mobilenet_v3.hpp"
#include "../layers/dropout.hpp"
#include "../layers/global_avg_pool.hpp"
#include "../layers/linear.hpp"
#include "../model.hpp"

namespace typenet::models {

namespace detail {
// After the features: avgpool, then Linear to LastChannel, hardswish, dropout 0.2, Linear.
template <int H, int W, int Classes, int LastChannel, class Features>
using mobilenet_v3 = model<input<3, H, W>, named<"features", Features>, named<"avgpool", global_avg_pool>,
                           named<"classifier", sequential<linear<LastChannel>, hardswish, dropout<std::ratio<1, 5>>, linear<Classes>>>>;
}  // namespace detail

template <int H, int W, int Classes = 1000>
using mobilenet_v3_large_t = detail::mobilenet_v3<
    H, W, Classes, 1280,
    sequential<mobilenet_v3::conv_bn<16, 3, 2, hardswish>,
               //                  in   k  exp  out  SE     NL         s
               mobilenet_v3::bneck<16,  3, 16,  16,  false, relu,      1>,
               mobilenet_v3::bneck<16,  3, 64,  24,  false, relu,      2>,
               mobilenet_v3::bneck<24,  3, 72,  24,  false, relu,      1>,
               mobilenet_v3::bneck<24,  5, 72,  40,  true,  relu,      2>,
               mobilenet_v3::bneck<40,  5, 120, 40,  true,  relu,      1>,
               mobilenet_v3::bneck<40,  5, 120, 40,  true,  relu,      1>,
               mobilenet_v3::bneck<40,  3, 240, 80,  false, hardswish, 2>,
               mobilenet_v3::bneck<80,  3, 200, 80,  false, hardswish, 1>,
               mobilenet_v3::bneck<80,  3, 184, 80,  false, hardswish, 1>,
               mobilenet_v3::bneck<80,  3, 184, 80,  false, hardswish, 1>,
               mobilenet_v3::bneck<80,  3, 480, 112, true,  hardswish, 1>,
               mobilenet_v3::bneck<112, 3, 672, 112, true,  hardswish, 1>,
               mobilenet_v3::bneck<112, 5, 672, 160, true,  hardswish, 2>,
               mobilenet_v3::bneck<160, 5, 960, 160, true,  hardswish, 1>,
               mobilenet_v3::bneck<160, 5, 960, 160, true,  hardswish, 1>,
               mobilenet_v3::conv_bn<960, 1, 1, hardswish>>>;

template <int H, int W, int Classes = 1000>
using mobilenet_v3_small_t = detail::mobilenet_v3<
    H, W, Classes, 1024,
    sequential<mobilenet_v3::conv_bn<16, 3, 2, hardswish>,
               //                  in  k  exp  out SE     NL         s
               mobilenet_v3::bneck<16, 3, 16,  16, true,  relu,      2>,
               mobilenet_v3::bneck<16, 3, 72,  24, false, relu,      2>,
               mobilenet_v3::bneck<24, 3, 88,  24, false, relu,      1>,
               mobilenet_v3::bneck<24, 5, 96,  40, true,  hardswish, 2>,
               mobilenet_v3::bneck<40, 5, 240, 40, true,  hardswish, 1>,
               mobilenet_v3::bneck<40, 5, 240, 40, true,  hardswish, 1>,
               mobilenet_v3::bneck<40, 5, 120, 48, true,  hardswish, 1>,
               mobilenet_v3::bneck<48, 5, 144, 48, true,  hardswish, 1>,
               mobilenet_v3::bneck<48, 5, 288, 96, true,  hardswish, 2>,
               mobilenet_v3::bneck<96, 5, 576, 96, true,  hardswish, 1>,
               mobilenet_v3::bneck<96, 5, 576, 96, true,  hardswish, 1>,
               mobilenet_v3::conv_bn<576, 1, 1, hardswish>>>;

using mobilenet_v3_large = mobilenet_v3_large_t<224, 224>;
using mobilenet_v3_small = mobilenet_v3_small_t<224, 224>;

}  // namespace typenet::models
