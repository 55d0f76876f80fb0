// EXPECT: bottleneck: identity shortcut cannot downsample \(Stride must be 1\)
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<256, 56, 56>, bottleneck<64, 256, 2, 1, false>>;
output_shape_t<broken> out;
