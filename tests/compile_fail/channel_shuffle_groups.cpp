// EXPECT: channel_shuffle: input channels must be divisible by Groups.*shape_mismatch<.*>, 116, 3>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<116, 8, 8>, channel_shuffle<3>>;
output_shape_t<broken> out;
