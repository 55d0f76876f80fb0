// EXPECT: squeeze_excitation: input channels must equal Channels.*shape_mismatch<.*>, 96, 64>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<96, 7, 7>, squeeze_excitation<64, 16>>;
output_shape_t<broken> out;
