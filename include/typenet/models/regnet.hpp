#pragma once
// torchvision's regnet_x_400mf and regnet_y_400mf: stem, the paper's per-stage table as types,
// global pool, classifier. torchvision derives the table from the quantized linear parameters
// (BlockParams.from_init_params: depth, w_0, w_a, w_m, group width); the rows below are its
// result in torchvision 0.14 (BlockParams._get_expanded_params()), written out.
#include "../blocks/regnet.hpp"
#include "../layers/global_avg_pool.hpp"
#include "../layers/linear.hpp"
#include "../model.hpp"

namespace typenet::models {

namespace detail {
template <int H, int W, int Classes, int StemWidth, class... Stages>
using torchvision_regnet = model<input<3, H, W>,
                                 named<"stem", regnet::stem<StemWidth>>,
                                 named<"trunk_output", regnet::trunk<StemWidth, Stages...>>,
                                 named<"avgpool", global_avg_pool>,  // AdaptiveAvgPool2d((1, 1)), then flatten
                                 named<"fc", linear<Classes>>>;
}  // namespace detail

// from_init_params(depth=22, w_0=24, w_a=24.48, w_m=2.54, group_width=16)
template <int H, int W, int Classes = 1000>
using regnet_x_400mf_t = detail::torchvision_regnet<H, W, Classes, 32,  //   d    w    g   b
                                                    regnet::stage<1, 32, 16>,    //   1   32   16   1
                                                    regnet::stage<2, 64, 16>,    //   2   64   16   1
                                                    regnet::stage<7, 160, 16>,   //   7  160   16   1
                                                    regnet::stage<12, 400, 16>>; //  12  400   16   1

// from_init_params(depth=16, w_0=48, w_a=27.89, w_m=2.09, group_width=8, se_ratio=0.25)
template <int H, int W, int Classes = 1000>
using regnet_y_400mf_t = detail::torchvision_regnet<H, W, Classes, 32,  //                        d    w   g  b  se
                                                    regnet::stage<1, 48, 8, std::ratio<1>, std::ratio<1, 4>>,    //  1   48   8  1  1/4
                                                    regnet::stage<3, 104, 8, std::ratio<1>, std::ratio<1, 4>>,   //  3  104   8  1  1/4
                                                    regnet::stage<6, 208, 8, std::ratio<1>, std::ratio<1, 4>>,   //  6  208   8  1  1/4
                                                    regnet::stage<6, 440, 8, std::ratio<1>, std::ratio<1, 4>>>;  //  6  440   8  1  1/4

using regnet_x_400mf = regnet_x_400mf_t<224, 224>;
using regnet_y_400mf = regnet_y_400mf_t<224, 224>;

}  // namespace typenet::models
