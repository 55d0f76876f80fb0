// EXPECT: avg_pool: Kernel and Stride must be positive and Padding non-negative.*shape_mismatch<.*>, 3, 0, 0>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<8, 8, 8>, avg_pool<3, hw{1, 0}>>;  // stride 0 along the width
output_shape_t<broken> out;
