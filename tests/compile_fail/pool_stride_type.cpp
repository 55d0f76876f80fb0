// EXPECT: typenet pools: Stride must be an int, an hw or a pool_options
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<8, 9, 9>, avg_pool<3, true>>;  // a bool is not a stride
output_shape_t<broken> out;
