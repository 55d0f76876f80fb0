#pragma once
// torchvision's googlenet (GoogLeNet, Szegedy et al. 2015, with batch norm) in its eval form:
// without the auxiliary classifiers (aux_logits=False) and without transform_input. The
// inception modules' numbers are the paper's table 1.
#include <ratio>

#include "../blocks/inception.hpp"
#include "../layers/adaptive_avg_pool.hpp"
#include "../layers/dropout.hpp"
#include "../layers/flatten.hpp"
#include "../layers/linear.hpp"
#include "../model.hpp"

namespace typenet::models {

template <int H, int W, int Classes = 1000>
using googlenet_t = model<
    input<3, H, W>,
    named<"conv1", inception::basic_conv2d<64, 7, 2, 3>>,
    named<"maxpool1", max_pool<3, 2, 0, true>>,
    named<"conv2", inception::basic_conv2d<64, 1>>,
    named<"conv3", inception::basic_conv2d<192, 3, 1, 1>>,
    named<"maxpool2", max_pool<3, 2, 0, true>>,
    //                                      #1x1 #3x3r #3x3 #5x5r #5x5 pool proj
    named<"inception3a", inception::block<64, 96, 128, 16, 32, 32>>,
    named<"inception3b", inception::block<128, 128, 192, 32, 96, 64>>,
    named<"maxpool3", max_pool<3, 2, 0, true>>,
    named<"inception4a", inception::block<192, 96, 208, 16, 48, 64>>,
    named<"inception4b", inception::block<160, 112, 224, 24, 64, 64>>,
    named<"inception4c", inception::block<128, 128, 256, 24, 64, 64>>,
    named<"inception4d", inception::block<112, 144, 288, 32, 64, 64>>,
    named<"inception4e", inception::block<256, 160, 320, 32, 128, 128>>,
    named<"maxpool4", max_pool<2, 2, 0, true>>,
    named<"inception5a", inception::block<256, 160, 320, 32, 128, 128>>,
    named<"inception5b", inception::block<384, 192, 384, 48, 128, 128>>,
    named<"avgpool", adaptive_avg_pool<1, 1>>,
    named<"", flatten>,  // torch.flatten: no module
    named<"dropout", dropout<std::ratio<1, 5>>>,
    named<"fc", linear<Classes>>>;

using googlenet = googlenet_t<224, 224>;

}  // namespace typenet::models
