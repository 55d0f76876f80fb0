#pragma once
// torchvision's squeezenet1_1 (SqueezeNet v1.1: a 3x3 stem and earlier pooling than v1.0, the
// same accuracy at 2.4x less computation): eight fire modules between ceil-mode max pools.
#include "../blocks/squeezenet.hpp"
#include "../layers/flatten.hpp"
#include "../layers/max_pool.hpp"
#include "../model.hpp"

namespace typenet::models {

template <int H, int W, int Classes = 1000>
using squeezenet1_1_t = model<
    input<3, H, W>,
    named<"features", sequential<conv2d<64, 3, 2, 0, 1, true>, relu, max_pool<3, 2, 0, true>,
                                 //                  squeeze expand1x1 expand3x3
                                 squeezenet::fire<16, 64, 64>, squeezenet::fire<16, 64, 64>, max_pool<3, 2, 0, true>,
                                 squeezenet::fire<32, 128, 128>, squeezenet::fire<32, 128, 128>, max_pool<3, 2, 0, true>,
                                 squeezenet::fire<48, 192, 192>, squeezenet::fire<48, 192, 192>,
                                 squeezenet::fire<64, 256, 256>, squeezenet::fire<64, 256, 256>>>,
    named<"classifier", squeezenet::classifier<Classes>>,
    named<"", flatten>>;  // torch.flatten: no module

using squeezenet1_1 = squeezenet1_1_t<224, 224>;

}  // namespace typenet::models
