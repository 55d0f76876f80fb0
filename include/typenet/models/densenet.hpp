#pragma once
// torchvision's densenet121 (and its family): a 7x7 stem, four dense blocks with transitions that
// halve the channels and the size, a final batch norm; then ReLU, average and the classifier.
#include "../blocks/densenet.hpp"
#include "../layers/global_avg_pool.hpp"
#include "../layers/linear.hpp"
#include "../layers/max_pool.hpp"
#include "../model.hpp"

namespace typenet::models {

namespace detail {
// The channels after each block of a DenseNet: In + Layers*Growth, halved by each transition.
template <int Init, int Growth, int B1, int B2, int B3, int B4>
struct densenet_widths {
  static constexpr int block1 = Init + B1 * Growth, block2 = block1 / 2 + B2 * Growth, block3 = block2 / 2 + B3 * Growth;
};
}  // namespace detail

template <int H, int W, int Classes, int Growth, int Init, int B1, int B2, int B3, int B4, int BnSize = 4,
          class C = detail::densenet_widths<Init, Growth, B1, B2, B3, B4>>
using densenet_t = model<
    input<3, H, W>,
    named<"features", sequential<named<"conv0", conv2d<Init, 7, 2, 3>>, named<"norm0", batch_norm>, named<"relu0", relu>,
                                 named<"pool0", max_pool<3, 2, 1>>,
                                 named<"denseblock1", densenet::block<B1, Growth, BnSize>>, named<"transition1", densenet::transition<C::block1 / 2>>,
                                 named<"denseblock2", densenet::block<B2, Growth, BnSize>>, named<"transition2", densenet::transition<C::block2 / 2>>,
                                 named<"denseblock3", densenet::block<B3, Growth, BnSize>>, named<"transition3", densenet::transition<C::block3 / 2>>,
                                 named<"denseblock4", densenet::block<B4, Growth, BnSize>>, named<"norm5", batch_norm>>>,
    named<"", relu>, named<"", global_avg_pool>,  // torchvision: F.relu, adaptive_avg_pool2d, flatten
    named<"classifier", linear<Classes>>>;

//                                                    growth init  blocks
template <int H, int W, int Classes = 1000>
using densenet121_t = densenet_t<H, W, Classes, 32, 64, 6, 12, 24, 16>;
template <int H, int W, int Classes = 1000>
using densenet161_t = densenet_t<H, W, Classes, 48, 96, 6, 12, 36, 24>;
template <int H, int W, int Classes = 1000>
using densenet169_t = densenet_t<H, W, Classes, 32, 64, 6, 12, 32, 32>;
template <int H, int W, int Classes = 1000>
using densenet201_t = densenet_t<H, W, Classes, 32, 64, 6, 12, 48, 32>;

using densenet121 = densenet121_t<224, 224>;
using densenet161 = densenet161_t<224, 224>;
using densenet169 = densenet169_t<224, 224>;
using densenet201 = densenet201_t<224, 224>;

}  // namespace typenet::models
