// EXPECT: regnet::block: In, Out, Stride and GroupWidth must be positive.*shape_mismatch<.*>, 32, 64, 2, 0>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<32, 56, 56>, regnet::block<32, 64, 2, 0>>;
output_shape_t<broken> out;
