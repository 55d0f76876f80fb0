#pragma once
// torchvision's mobilenet_v2 (width 1.0): the paper's table 2 as types.
#include "../blocks/mobilenet.hpp"
#include "../layers/dropout.hpp"
#include "../layers/global_avg_pool.hpp"
#include "../layers/linear.hpp"
#include "../model.hpp"

namespace typenet::models {

template <int H, int W, int Classes = 1000>
using mobilenet_v2_t = model<
    input<3, H, W>,
    named<"features", mobilenet::features<mobilenet::conv_bn_relu6<32, 3, 2>,  //      t  c    n  s
                                          mobilenet::stage<32, 16, 1, 1, 1>,   //      1  16   1  1
                                          mobilenet::stage<16, 24, 2, 2, 6>,   //      6  24   2  2
                                          mobilenet::stage<24, 32, 3, 2, 6>,   //      6  32   3  2
                                          mobilenet::stage<32, 64, 4, 2, 6>,   //      6  64   4  2
                                          mobilenet::stage<64, 96, 3, 1, 6>,   //      6  96   3  1
                                          mobilenet::stage<96, 160, 3, 2, 6>,  //      6  160  3  2
                                          mobilenet::stage<160, 320, 1, 1, 6>, //      6  320  1  1
                                          mobilenet::conv_bn_relu6<1280, 1>>>,
    named<"", global_avg_pool>,  // torchvision: adaptive_avg_pool2d + flatten, no module
    named<"classifier", sequential<dropout<std::ratio<1, 5>>, linear<Classes>>>>;

using mobilenet_v2 = mobilenet_v2_t<224, 224>;

}  // namespace typenet::models
