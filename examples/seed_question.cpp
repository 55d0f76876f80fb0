// The seed's question: in the Keras ResNeXt-50, why does Add()([x, shortcut]) not fail when the
// block's identity shortcut carries a different channel count than its residual branch (2*filters)?
//
// Answer: it never does carry a different count. In stack(), the first block of every stage has
// conv_shortcut=True and projects its input to 2*filters, so every identity block after it already
// sees 2*filters channels. Keras' Add would raise "ValueError: Inputs have incompatible shapes" at
// graph build if they differed (it does not zero-pad or broadcast channels; dlib's add_prev is the
// one that zero-pads silently). Here the same stack is a type, and the mismatching variant does not
// compile: see tests/compile_fail/seed_stage_without_projection.cpp.
#include <iostream>
#include <typenet/typenet.hpp>

namespace tn = typenet;

// The seed's block(x, filters, strides, groups, conv_shortcut) with Keras' epsilon.
using keras_bn = tn::basic_batch_norm<std::ratio<1001, 100000000>>;

// The seed's stack(x, filters, blocks, strides): a projecting block, then identity blocks. Note the
// seed's `for i in range(blocks)` builds Blocks + 1 blocks; keras-applications' stack3 (and
// resnext::stack) build exactly Blocks.
template <int Filters, int Blocks, int Stride>
using seed_stack = tn::resnext::stack<Filters, Blocks, Stride>;

using seed_resnext50 = tn::model<tn::input<3, 224, 224>,
                                 tn::named<"conv1", tn::conv2d<64, 7, 2, 3>>, tn::named<"bn1", keras_bn>,
                                 tn::named<"relu", tn::relu>, tn::named<"maxpool", tn::max_pool<3, 2, 1>>,
                                 tn::named<"layer1", seed_stack<128, 3, 1>>,   // 64 -> 256 channels (projection)
                                 tn::named<"layer2", seed_stack<256, 4, 2>>,   // 256 -> 512
                                 tn::named<"layer3", seed_stack<512, 6, 2>>,   // 512 -> 1024
                                 tn::named<"layer4", seed_stack<1024, 3, 2>>,  // 1024 -> 2048
                                 tn::named<"avgpool", tn::global_avg_pool>, tn::named<"fc", tn::linear<1000>>>;

// It compiles: every identity block sees matching channels.
static_assert(std::is_same_v<tn::output_shape_t<seed_resnext50>, tn::shape<1000, 1, 1>>);
static_assert(tn::param_count_v<seed_resnext50> == tn::param_count_v<tn::models::resnext50_32x4d>);

// The variant the question imagines (a stage that starts with an identity block) is rejected:
static_assert(!tn::well_formed<tn::model<tn::input<64, 56, 56>, tn::resnext::block<128, 1, false>>>);
// tn::output_shape_t<tn::model<tn::input<64, 56, 56>, tn::resnext::block<128, 1, false>>> x;  // error:
//   static assertion failed: resnext::block: identity shortcut needs input channels == 2*Filters
//   note: the comparison reduces to '(64 == 256)'

int main() {
  tn::print_summary<seed_resnext50>(std::cout, "seed ResNeXt-50 (Keras epsilon)", 1);
  std::cout << "every identity block sees 2*Filters channels: the model type-checks\n";
}
