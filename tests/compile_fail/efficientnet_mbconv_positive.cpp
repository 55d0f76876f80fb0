// EXPECT: efficientnet::mbconv: In, Out, Kernel and Expand must be positive.*shape_mismatch<.*>, 16, 24, 0, 6>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<16, 56, 56>, efficientnet::features<efficientnet::stage<6, 0, 2, 16, 24, 2>>>;
output_shape_t<broken> out;
