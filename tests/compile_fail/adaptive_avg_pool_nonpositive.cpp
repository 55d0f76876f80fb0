// EXPECT: adaptive_avg_pool: H and W must be positive.*shape_mismatch<.*>, 7, 0>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<64, 14, 14>, adaptive_avg_pool<7, 0>>;
output_shape_t<broken> out;
