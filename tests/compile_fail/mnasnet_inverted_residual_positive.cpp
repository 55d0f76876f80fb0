// EXPECT: mnasnet::inverted_residual: In, Out and Expand must be positive.*shape_mismatch<.*>, 16, 24, 0>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<16, 56, 56>, mnasnet::inverted_residual<16, 24, 3, 2, 0>>;
output_shape_t<broken> out;
