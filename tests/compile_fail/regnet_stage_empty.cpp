// EXPECT: regnet::any_stage: needs at least one block.*shape_mismatch<.*>, 0>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<32, 56, 56>, regnet::trunk<32, regnet::stage<1, 64, 16>, regnet::stage<0, 128, 16>>>;
output_shape_t<broken> out;
