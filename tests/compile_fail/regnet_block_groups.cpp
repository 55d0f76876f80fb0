// EXPECT: regnet::block: the bottleneck width .* must be a positive multiple of GroupWidth.*shape_mismatch<.*>, 40, 16>
#include <typenet/typenet.hpp>
using namespace typenet;
// 40 output channels (bottleneck ratio 1) do not make groups of 16 channels.
using broken = model<input<32, 56, 56>, regnet::trunk<32, regnet::stage<1, 40, 16>>>;
output_shape_t<broken> out;
