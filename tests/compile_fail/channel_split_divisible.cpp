// EXPECT: channel_split: input channels must be divisible by Parts.*shape_mismatch<.*>, 5, 2>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<5, 8, 8>, channel_split<0, 2>>;
output_shape_t<broken> out;
