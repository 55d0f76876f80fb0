#pragma once
#include "../layers/batch_norm.hpp"
#include "../layers/conv2d.hpp"
#include "../layers/linear.hpp"
#include "../layers/pool.hpp"
#include "../layers/relu.hpp"
#include "../model.hpp"

namespace typenet::models::detail {

// torchvision's ResNet family: 7x7/2 stem, 3x3/2 max pool, four stages, global pool, classifier,
// under torchvision's state_dict names, so its weights load as they are.
template <int H, int W, int Classes, class Layer1, class Layer2, class Layer3, class Layer4>
using torchvision_resnet = model<input<3, H, W>,
                                 named<"conv1", conv2d<64, 7, 2, 3>>,
                                 named<"bn1", batch_norm>,
                                 named<"relu", relu>,
                                 named<"maxpool", max_pool<3, 2, 1>>,
                                 named<"layer1", Layer1>,
                                 named<"layer2", Layer2>,
                                 named<"layer3", Layer3>,
                                 named<"layer4", Layer4>,
                                 named<"avgpool", global_avg_pool>,
                                 named<"fc", linear<Classes>>>;

}  // namespace typenet::models::detail
