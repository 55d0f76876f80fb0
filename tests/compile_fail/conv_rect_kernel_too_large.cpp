// EXPECT: conv2d: kernel larger than the padded input.*{"kernel 1x7, padded input 17x5"}, typenet::conv2d<192, typenet::hw{1, 7}[^>]*>, 1, 7, 17, 5>
// EXPECT-CLANG: shape_mismatch<typenet::conv2d<192, {1, 7}, 1, {0, 0}, 1, false>, 1, 7, 17, 5>>'.*conv2d: kernel larger than the padded input
// Inception's 1x7 without its (0, 3) padding on a map 5 wide: 7 columns do not fit (the height
// does), and the message names both axes.
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<128, 17, 5>, conv2d<192, hw{1, 7}>>;
output_shape_t<broken> out;
