// EXPECT: mnasnet::stack: needs at least one block.*shape_mismatch<.*>, 0>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<16, 112, 112>, mnasnet::stack<16, 24, 3, 2, 3, 0>>;
output_shape_t<broken> out;
