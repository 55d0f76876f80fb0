// EXPECT: sequential: needs at least one layer
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<3, 8, 8>>;
output_shape_t<broken> out;
