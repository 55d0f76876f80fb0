#pragma once
// torchvision's ResNets as types, each with torchvision 0.14's exact parameter count. `_t<H, W,
// Classes>` takes another input size or class count.
#include "../blocks/resnet.hpp"
#include "torchvision_resnet.hpp"

namespace typenet::models {

template <int H, int W, int Classes = 1000>
using resnet18_t = detail::torchvision_resnet<H, W, Classes, resnet::basic_stack<64, 2, 1>, resnet::basic_stack<128, 2, 2>,
                                              resnet::basic_stack<256, 2, 2>, resnet::basic_stack<512, 2, 2>>;
template <int H, int W, int Classes = 1000>
using resnet34_t = detail::torchvision_resnet<H, W, Classes, resnet::basic_stack<64, 3, 1>, resnet::basic_stack<128, 4, 2>,
                                              resnet::basic_stack<256, 6, 2>, resnet::basic_stack<512, 3, 2>>;

// The Bottleneck ResNets: stage depths, and the blocks' groups and width per group.
template <int H, int W, int Classes, int D1, int D2, int D3, int D4, int Groups = 1, int WidthPerGroup = 64>
using bottleneck_resnet = detail::torchvision_resnet<
    H, W, Classes, resnet::stack<64, D1, 1, Groups, WidthPerGroup>, resnet::stack<128, D2, 2, Groups, WidthPerGroup>,
    resnet::stack<256, D3, 2, Groups, WidthPerGroup>, resnet::stack<512, D4, 2, Groups, WidthPerGroup>>;

template <int H, int W, int Classes = 1000>
using resnet50_t = bottleneck_resnet<H, W, Classes, 3, 4, 6, 3>;
template <int H, int W, int Classes = 1000>
using resnet101_t = bottleneck_resnet<H, W, Classes, 3, 4, 23, 3>;
template <int H, int W, int Classes = 1000>
using resnet152_t = bottleneck_resnet<H, W, Classes, 3, 8, 36, 3>;
template <int H, int W, int Classes = 1000>
using wide_resnet50_2_t = bottleneck_resnet<H, W, Classes, 3, 4, 6, 3, 1, 128>;
template <int H, int W, int Classes = 1000>
using resnext101_32x8d_t = bottleneck_resnet<H, W, Classes, 3, 4, 23, 3, 32, 8>;
template <int H, int W, int Classes = 1000>
using resnext101_64x4d_t = bottleneck_resnet<H, W, Classes, 3, 4, 23, 3, 64, 4>;

using resnet18 = resnet18_t<224, 224>;
using resnet34 = resnet34_t<224, 224>;
using resnet50 = resnet50_t<224, 224>;
using resnet101 = resnet101_t<224, 224>;
using resnet152 = resnet152_t<224, 224>;
using wide_resnet50_2 = wide_resnet50_2_t<224, 224>;
using resnext101_32x8d = resnext101_32x8d_t<224, 224>;
using resnext101_64x4d = resnext101_64x4d_t<224, 224>;

}  // namespace typenet::models
