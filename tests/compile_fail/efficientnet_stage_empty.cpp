// EXPECT: efficientnet::stage: needs at least one block.*shape_mismatch<.*>, 0>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<16, 56, 56>, efficientnet::features<efficientnet::stage<6, 3, 2, 16, 24, 0>>>;
output_shape_t<broken> out;
