// EXPECT: regnet::block: input channels must equal In.*shape_mismatch<.*>, 32, 24>
#include <typenet/typenet.hpp>
using namespace typenet;
// A trunk written for a 24-channel stem after a 32-channel one.
using broken = model<input<3, 64, 64>, regnet::stem<32>, regnet::trunk<24, regnet::stage<1, 48, 8>>>;
output_shape_t<broken> out;
