#pragma once
#include "../blocks/resnet.hpp"
#include "torchvision_resnet.hpp"

namespace typenet::models {

// torchvision's resnet50: the same bottleneck machinery as ResNeXt-50 with one group and
// width = Planes, output = 4*Planes.
template <int H, int W, int Classes = 1000>
using resnet50_t = detail::torchvision_resnet<H, W, Classes, resnet::stack<64, 3, 1>, resnet::stack<128, 4, 2>,
                                              resnet::stack<256, 6, 2>, resnet::stack<512, 3, 2>>;

using resnet50 = resnet50_t<224, 224>;

}  // namespace typenet::models
