// EXPECT: linear: Out must be positive
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<8, 1, 1>, linear<0>>;
output_shape_t<broken> out;
