#pragma once
// Two "everyday" broken models for the entry_*.cpp compile-fail tests, written the way a user
// writes a network: reusable block templates, torchvision's names, nothing typenet-internal.
// Not a .cpp, so the compile-fail harness (GLOB *.cpp) does not build it on its own.
//
//   broken_models::resnet18_identity_layer2  ResNet-18 at 224x224 whose layer2.0 keeps an identity
//       shortcut although its branch goes 64 -> 128 channels with stride 2:
//       "residual: branch and shortcut must give the same channels" at layer2.0 (branch 128, shortcut 64).
//   broken_models::small_net_large_kernel    a 32x32 residual network whose layer3.1.conv2 is a
//       7x7 conv without padding on a 4x4 map:
//       "conv2d: kernel larger than the padded input" at layer3.1.conv2 (kernel 7x7, padded input 4x4).
#include <typenet/typenet.hpp>

namespace broken_models {
using namespace typenet;

// ---- reusable pieces, as a user writes them ----

template <int Planes, int Stride = 1>
using conv3x3 = conv2d<Planes, 3, Stride, 1>;

// torchvision's downsample: a 1x1 conv with the stride, then batch norm.
template <int Planes, int Stride>
using projection = named<"downsample", sequential<conv2d<Planes, 1, Stride>, batch_norm>>;

using no_projection = named<"", identity>;

// torchvision's BasicBlock: conv3x3-bn-relu-conv3x3-bn, plus the shortcut, then relu. The second
// conv's kernel and padding are parameters so the same block can try a larger receptive field.
template <int Planes, int Stride, class Shortcut, int Kernel2 = 3, int Padding2 = 1>
using basic_block = sequential<
    named<"", residual<named<"", sequential<named<"conv1", conv3x3<Planes, Stride>>,
                                            named<"bn1", batch_norm>,
                                            named<"relu", relu>,
                                            named<"conv2", conv2d<Planes, Kernel2, 1, Padding2>>,
                                            named<"bn2", batch_norm>>>,
                       Shortcut>>,
    named<"relu", relu>>;

// A stage of two blocks; the first may change width and resolution.
template <class First, class Second>
using stage = sequential<First, Second>;

// ---- (a) ResNet-18, 224x224, ImageNet head ----
// The mistake: layer2's first block should be basic_block<128, 2, projection<128, 2>>.
using resnet18_identity_layer2 =
    model<input<3, 224, 224>,
          named<"conv1", conv2d<64, 7, 2, 3>>,
          named<"bn1", batch_norm>,
          named<"relu", relu>,
          named<"maxpool", max_pool<3, 2, 1>>,
          named<"layer1", stage<basic_block<64, 1, no_projection>, basic_block<64, 1, no_projection>>>,
          named<"layer2", stage<basic_block<128, 2, no_projection>, basic_block<128, 1, no_projection>>>,
          named<"layer3", stage<basic_block<256, 2, projection<256, 2>>, basic_block<256, 1, no_projection>>>,
          named<"layer4", stage<basic_block<512, 2, projection<512, 2>>, basic_block<512, 1, no_projection>>>,
          named<"avgpool", global_avg_pool>,
          named<"fc", linear<1000>>>;

// ---- (b) a small 32x32 residual network, 10 classes ----
// The mistake: layer3's second block widens its receptive field with a 7x7 conv2 "valid" (no
// padding), but layer3 runs at 4x4 (32 -> maxpool 16 -> layer2 8 -> layer3 4).
using small_net_large_kernel =
    model<input<3, 32, 32>,
          named<"conv1", conv3x3<32>>,
          named<"bn1", batch_norm>,
          named<"relu", relu>,
          named<"maxpool", max_pool<2>>,
          named<"layer1", stage<basic_block<32, 1, no_projection>, basic_block<32, 1, no_projection>>>,
          named<"layer2", stage<basic_block<64, 2, projection<64, 2>>, basic_block<64, 1, no_projection>>>,
          named<"layer3", stage<basic_block<128, 2, projection<128, 2>>, basic_block<128, 1, no_projection, 7, 0>>>,
          named<"avgpool", global_avg_pool>,
          named<"fc", linear<10>>>;

}  // namespace broken_models
