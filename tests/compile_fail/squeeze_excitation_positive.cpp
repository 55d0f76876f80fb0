// EXPECT: squeeze_excitation: Channels and Squeeze must be positive.*shape_mismatch<.*>, 64, 0>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<64, 7, 7>, squeeze_excitation<64, 0>>;
output_shape_t<broken> out;
