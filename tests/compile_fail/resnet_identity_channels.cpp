// EXPECT: bottleneck: identity shortcut needs input channels == Out.*shape_mismatch<.*>, 64, 256>
// ResNet-50's first stage without its projection: 64 channels in, 4*64 out.
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<64, 56, 56>, resnet::block<64, 1, false>>;
output_shape_t<broken> out;
