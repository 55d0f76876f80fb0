// EXPECT: conv2d: output channels must be divisible by Groups.*shape_mismatch<.*>, 30, 4>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<8, 32, 32>, conv2d<30, 3, 1, 1, 4>>;
output_shape_t<broken> out;
