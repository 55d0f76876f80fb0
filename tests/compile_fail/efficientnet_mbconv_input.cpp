// EXPECT: efficientnet::mbconv: input channels must equal In.*shape_mismatch<.*>, 24, 40>
// A stage row whose input channels are not the previous row's output.
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<16, 56, 56>, efficientnet::features<efficientnet::stage<6, 3, 2, 16, 24, 2>,
                                                              efficientnet::stage<6, 5, 2, 40, 80, 2>>>;
output_shape_t<broken> out;
