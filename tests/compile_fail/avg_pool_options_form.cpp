// EXPECT: avg_pool: after pool_options, leave Padding, CeilMode and CountIncludePad out
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<8, 9, 9>, avg_pool<3, pool_options{.stride = 2}, 1>>;  // padding belongs in the options
output_shape_t<broken> out;
