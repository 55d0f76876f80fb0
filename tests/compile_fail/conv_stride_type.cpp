// EXPECT: conv2d: the third argument is the stride \(an int or an hw\) or a conv_options
// A bias flag where the stride goes (conv2d's order is Out, Kernel, Stride, Padding, Groups, Bias).
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<3, 32, 32>, conv2d<64, 3, true>>;
output_shape_t<broken> out;
