// EXPECT: resnext::block: identity shortcut cannot downsample \(Stride must be 1\).*shape_mismatch<.*>, 2>
// An identity shortcut cannot follow a strided branch: the spatial sizes would differ.
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<256, 56, 56>, resnext::block<128, 2, false>>;
output_shape_t<broken> out;
