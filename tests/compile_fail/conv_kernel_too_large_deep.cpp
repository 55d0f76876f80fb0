// EXPECT: conv2d: kernel larger than the padded input.*shape_mismatch<.*>, 7, 7, 1, 1>
// Too many stride-2 convolutions: by the fifth the feature map is 1x1 and a 7x7 kernel no longer fits.
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<3, 16, 16>, conv2d<8, 3, 2, 1>, conv2d<8, 3, 2, 1>, conv2d<8, 3, 2, 1>, conv2d<8, 3, 2, 1>,
                     conv2d<8, 7>>;
output_shape_t<broken> out;
