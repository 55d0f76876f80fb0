// EXPECT: conv2d: kernel larger than the padded input.*shape_mismatch<.*>, 7, 7, 5, 5>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<8, 5, 5>, conv2d<8, 7>>;
output_shape_t<broken> out;
