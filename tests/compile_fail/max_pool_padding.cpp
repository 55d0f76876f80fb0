// EXPECT: max_pool: Padding must be at most half the kernel.*shape_mismatch<.*>, 2, 3>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<8, 32, 32>, max_pool<3, 2, 2>>;
output_shape_t<broken> out;
