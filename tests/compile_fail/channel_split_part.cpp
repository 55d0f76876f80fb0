// EXPECT: channel_split: needs Parts > 0 and 0 <= Part < Parts.*shape_mismatch<.*>, 2, 2>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<4, 8, 8>, channel_split<2, 2>>;
output_shape_t<broken> out;
