#pragma once
// torchvision's shufflenet_v2_x1_0: the paper's table 5 (1x: stage repeats 4, 8, 4; output
// channels 24, 116, 232, 464, 1024) as types.
#include "../blocks/shufflenet.hpp"
#include "../layers/global_avg_pool.hpp"
#include "../layers/linear.hpp"
#include "../layers/max_pool.hpp"
#include "../model.hpp"

namespace typenet::models {

namespace detail {
template <int H, int W, int Classes, int C1, int C2, int C3, int C4, int C5, int R2, int R3, int R4>
using torchvision_shufflenet_v2 = model<input<3, H, W>,
                                        named<"conv1", sequential<conv2d<C1, 3, 2, 1>, batch_norm, relu>>,
                                        named<"maxpool", max_pool<3, 2, 1>>,
                                        named<"stage2", shufflenet::stage<C1, C2, R2>>,
                                        named<"stage3", shufflenet::stage<C2, C3, R3>>,
                                        named<"stage4", shufflenet::stage<C3, C4, R4>>,
                                        named<"conv5", sequential<conv2d<C5, 1>, batch_norm, relu>>,
                                        named<"", global_avg_pool>,  // x.mean([2, 3]), no module
                                        named<"fc", linear<Classes>>>;
}  // namespace detail

template <int H, int W, int Classes = 1000>  //                          conv1 stage2 stage3 stage4 conv5, repeats
using shufflenet_v2_x1_0_t = detail::torchvision_shufflenet_v2<H, W, Classes, 24, 116, 232, 464, 1024, 4, 8, 4>;

using shufflenet_v2_x1_0 = shufflenet_v2_x1_0_t<224, 224>;

}  // namespace typenet::models
