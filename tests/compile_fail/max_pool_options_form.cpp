// EXPECT: max_pool: after pool_options, leave Padding and CeilMode out
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<8, 9, 9>, max_pool<3, pool_options{.stride = 2}, 0, true>>;  // ceil_mode belongs in the options
output_shape_t<broken> out;
