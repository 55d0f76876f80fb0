#pragma once
#include "../blocks/resnext.hpp"
#include "../layers/linear.hpp"
#include "../layers/pool.hpp"
#include "../model.hpp"

namespace typenet::models {

// torchvision's resnext50_32x4d (= keras-applications' ResNeXt50): stem, four stages of
// resnext::block with 32 groups (widths 128..1024, outputs 256..2048), global pool, classifier.
// Names follow torchvision's state_dict, so its weights load as they are.
template <int H, int W, int Classes = 1000>
using resnext50_32x4d_t = model<input<3, H, W>,
                                named<"conv1", conv2d<64, 7, 2, 3>>,
                                named<"bn1", batch_norm>,
                                named<"relu", relu>,
                                named<"maxpool", max_pool<3, 2, 1>>,
                                named<"layer1", resnext::stack<128, 3, 1>>,
                                named<"layer2", resnext::stack<256, 4, 2>>,
                                named<"layer3", resnext::stack<512, 6, 2>>,
                                named<"layer4", resnext::stack<1024, 3, 2>>,
                                named<"avgpool", global_avg_pool>,
                                named<"fc", linear<Classes>>>;

using resnext50_32x4d = resnext50_32x4d_t<224, 224>;

}  // namespace typenet::models
