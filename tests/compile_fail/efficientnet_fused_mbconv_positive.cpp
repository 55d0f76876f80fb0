// EXPECT: efficientnet::fused_mbconv: In, Out, Kernel and Expand must be positive.*shape_mismatch<.*>, 24, 48, 3, 0>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<24, 56, 56>, efficientnet::features<efficientnet::fused_stage<0, 3, 2, 24, 48, 4>>>;
output_shape_t<broken> out;
