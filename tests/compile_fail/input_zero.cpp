// EXPECT: typenet::input: every dimension must be positive
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<3, 0, 224>, relu>;
output_shape_t<broken> out;
