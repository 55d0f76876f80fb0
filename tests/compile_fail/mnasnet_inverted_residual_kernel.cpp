// EXPECT: mnasnet::inverted_residual: Kernel must be 3 or 5 and Stride 1 or 2.*shape_mismatch<.*>, 7, 2>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<24, 56, 56>, mnasnet::stack<24, 40, 7, 2, 3, 3>>;
output_shape_t<broken> out;
