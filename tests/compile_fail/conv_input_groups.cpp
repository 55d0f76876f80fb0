// EXPECT: conv2d: input channels must be divisible by Groups.*shape_mismatch<.*>, 3, 32>
// A grouped convolution straight on an RGB image: 3 channels cannot be split into 32 groups.
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<3, 32, 32>, conv2d<64, 3, 1, 1, 32>>;
output_shape_t<broken> out;
