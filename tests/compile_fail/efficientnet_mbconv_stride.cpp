// EXPECT: efficientnet::mbconv: Stride must be 1 or 2.*shape_mismatch<.*>, 4>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<16, 56, 56>, efficientnet::features<efficientnet::stage<6, 3, 4, 16, 24, 2>>>;
output_shape_t<broken> out;
