#pragma once
// torchvision's mnasnet1_0 (alpha 1.0: depths 32, 16, 24, 40, 80, 96, 192, 320): stem, the
// stacks of inverted residuals as a table, a 1x1 to 1280 channels, global pool, classifier.
// (Batch norm momentum 0.0003 only matters in training; eps is the default 1e-5.)
#include "../blocks/mnasnet.hpp"
#include "../layers/dropout.hpp"
#include "../layers/global_avg_pool.hpp"
#include "../layers/linear.hpp"
#include "../model.hpp"

namespace typenet::models {

template <int H, int W, int Classes = 1000>
using mnasnet1_0_t = model<
    input<3, H, W>,
    named<"layers", sequential<conv2d<32, 3, 2, 1>, batch_norm, relu,       // first layer: regular conv
                               conv2d<32, 3, 1, 1, 32>, batch_norm, relu,   // depthwise separable, no skip
                               conv2d<16, 1>, batch_norm,
                               //             in  out  k  s  t  n
                               mnasnet::stack<16, 24, 3, 2, 3, 3>,
                               mnasnet::stack<24, 40, 5, 2, 3, 3>,
                               mnasnet::stack<40, 80, 5, 2, 6, 3>,
                               mnasnet::stack<80, 96, 3, 1, 6, 2>,
                               mnasnet::stack<96, 192, 5, 2, 6, 4>,
                               mnasnet::stack<192, 320, 3, 1, 6, 1>,
                               conv2d<1280, 1>, batch_norm, relu>>,    // final mapping to the classifier's input
    named<"", global_avg_pool>,  // x.mean([2, 3]), no module
    named<"classifier", sequential<dropout<std::ratio<1, 5>>, linear<Classes>>>>;

using mnasnet1_0 = mnasnet1_0_t<224, 224>;

}  // namespace typenet::models
