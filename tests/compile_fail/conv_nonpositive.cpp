// EXPECT: conv2d: Out, Kernel, Stride and Groups must be positive and Padding non-negative
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<8, 32, 32>, conv2d<16, 3, 0>>;
output_shape_t<broken> out;
