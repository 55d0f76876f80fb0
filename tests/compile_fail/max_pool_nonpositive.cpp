// EXPECT: max_pool: Kernel and Stride must be positive and Padding non-negative
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<8, 8, 8>, max_pool<0>>;
output_shape_t<broken> out;
