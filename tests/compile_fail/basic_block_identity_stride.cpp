// EXPECT: resnet::basic_block: identity shortcut cannot downsample \(Stride must be 1\).*shape_mismatch<.*>, 2>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<64, 56, 56>, resnet::basic_block<64, 2, false>>;
output_shape_t<broken> out;
