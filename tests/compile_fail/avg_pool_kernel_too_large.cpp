// EXPECT: avg_pool: kernel larger than the padded input.*shape_mismatch<.*>, 9, 9, 8>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<8, 9, 8>, avg_pool<hw{1, 9}>>;  // 9 columns over 8
output_shape_t<broken> out;
