#pragma once
// torchvision's inception_v3 (Szegedy et al. 2016) in its eval form: without the auxiliary
// classifier (aux_logits=False) and without transform_input; native input 299x299.
#include <ratio>

#include "../blocks/inception_v3.hpp"
#include "../layers/adaptive_avg_pool.hpp"
#include "../layers/dropout.hpp"
#include "../layers/flatten.hpp"
#include "../layers/linear.hpp"
#include "../model.hpp"

namespace typenet::models {

template <int H, int W, int Classes = 1000>
using inception_v3_t = model<
    input<3, H, W>,
    named<"Conv2d_1a_3x3", inception::basic_conv2d<32, 3, 2>>,
    named<"Conv2d_2a_3x3", inception::basic_conv2d<32, 3>>,
    named<"Conv2d_2b_3x3", inception::basic_conv2d<64, 3, 1, 1>>,
    named<"maxpool1", max_pool<3, 2>>,
    named<"Conv2d_3b_1x1", inception::basic_conv2d<80, 1>>,
    named<"Conv2d_4a_3x3", inception::basic_conv2d<192, 3>>,
    named<"maxpool2", max_pool<3, 2>>,
    named<"Mixed_5b", inception::block_a<32>>,   // 35x35
    named<"Mixed_5c", inception::block_a<64>>,
    named<"Mixed_5d", inception::block_a<64>>,
    named<"Mixed_6a", inception::block_b>,       // to 17x17
    named<"Mixed_6b", inception::block_c<128>>,
    named<"Mixed_6c", inception::block_c<160>>,
    named<"Mixed_6d", inception::block_c<160>>,
    named<"Mixed_6e", inception::block_c<192>>,
    named<"Mixed_7a", inception::block_d>,       // to 8x8
    named<"Mixed_7b", inception::block_e>,
    named<"Mixed_7c", inception::block_e>,
    named<"avgpool", adaptive_avg_pool<1, 1>>,
    named<"dropout", dropout<std::ratio<1, 2>>>,
    named<"", flatten>,  // torch.flatten: no module
    named<"fc", linear<Classes>>>;

using inception_v3 = inception_v3_t<299, 299>;

}  // namespace typenet::models
