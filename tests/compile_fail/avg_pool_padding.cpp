// EXPECT: avg_pool: Padding must be at most half the kernel.*shape_mismatch<.*>, 2, 3>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<8, 32, 32>, avg_pool<hw{3, 5}, 1, 2>>;  // 2 > 3/2 along the height
output_shape_t<broken> out;
