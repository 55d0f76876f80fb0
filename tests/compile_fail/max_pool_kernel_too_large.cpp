// EXPECT: max_pool: kernel larger than the padded input.*shape_mismatch<.*>, 3, 2, 2>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<8, 2, 2>, max_pool<3>>;
output_shape_t<broken> out;
