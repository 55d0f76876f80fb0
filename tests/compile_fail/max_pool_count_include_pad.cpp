// EXPECT: max_pool: count_include_pad is avg_pool's option
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<8, 9, 9>, max_pool<3, pool_options{.stride = 2, .count_include_pad = false}>>;
output_shape_t<broken> out;
