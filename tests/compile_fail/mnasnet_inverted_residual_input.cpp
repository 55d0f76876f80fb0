// EXPECT: mnasnet::inverted_residual: input channels must equal In.*shape_mismatch<.*>, 24, 32>
#include <typenet/typenet.hpp>
using namespace typenet;
// The second stack written for 32 input channels after a stack to 24.
using broken = model<input<16, 112, 112>, mnasnet::stack<16, 24, 3, 2, 3, 3>, mnasnet::stack<32, 40, 5, 2, 3, 3>>;
output_shape_t<broken> out;
