// EXPECT: efficientnet::fused_mbconv: Stride must be 1 or 2.*shape_mismatch<.*>, 0>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<24, 56, 56>, efficientnet::features<efficientnet::fused_stage<4, 3, 0, 24, 48, 4>>>;
output_shape_t<broken> out;
