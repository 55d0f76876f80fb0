// EXPECT: mobilenet::inverted_residual: In, Out, Stride and Expand must be positive.*shape_mismatch<.*>, 16, 16, 1, 0>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<16, 8, 8>, mobilenet::inverted_residual<16, 16, 1, 0>>;
output_shape_t<broken> out;
