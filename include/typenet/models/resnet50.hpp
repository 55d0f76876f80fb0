#pragma once
#include "../blocks/resnet.hpp"
#include "../layers/linear.hpp"
#include "../layers/pool.hpp"
#include "../model.hpp"

namespace typenet::models {

// torchvision's resnet50: the same bottleneck machinery as ResNeXt-50 with one group and
// width = Planes, output = 4*Planes.
template <int H, int W, int Classes = 1000>
using resnet50_t = model<input<3, H, W>,
                         named<"conv1", conv2d<64, 7, 2, 3>>,
                         named<"bn1", batch_norm>,
                         named<"relu", relu>,
                         named<"maxpool", max_pool<3, 2, 1>>,
                         named<"layer1", resnet::stack<64, 3, 1>>,
                         named<"layer2", resnet::stack<128, 4, 2>>,
                         named<"layer3", resnet::stack<256, 6, 2>>,
                         named<"layer4", resnet::stack<512, 3, 2>>,
                         named<"avgpool", global_avg_pool>,
                         named<"fc", linear<Classes>>>;

using resnet50 = resnet50_t<224, 224>;

}  // namespace typenet::models
