// EXPECT: resnet::basic_block: identity shortcut needs input channels == Planes.*shape_mismatch<.*>, 64, 128>
// ResNet-18's second stage without its projection: 64 channels in, a branch of 128 out.
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<64, 56, 56>, resnet::basic_stack<128, 2, 1>>;
output_shape_t<broken> out;
