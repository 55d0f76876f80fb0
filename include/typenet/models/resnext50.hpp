#pragma once
#include "../blocks/resnext.hpp"
#include "torchvision_resnet.hpp"

namespace typenet::models {

// torchvision's resnext50_32x4d (= keras-applications' ResNeXt50): four stages of resnext::block
// with 32 groups (widths 128..1024, outputs 256..2048) between torchvision's ResNet stem and head.
template <int H, int W, int Classes = 1000>
using resnext50_32x4d_t = detail::torchvision_resnet<H, W, Classes, resnext::stack<128, 3, 1>, resnext::stack<256, 4, 2>,
                                                     resnext::stack<512, 6, 2>, resnext::stack<1024, 3, 2>>;

using resnext50_32x4d = resnext50_32x4d_t<224, 224>;

}  // namespace typenet::models
