// EXPECT: mobilenet_v3::bneck: In, Out, Kernel and Expanded must be positive.*shape_mismatch<.*>, 24, 40, 5, 0>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<24, 56, 56>, mobilenet_v3::bneck<24, 5, 0, 40, true, hardswish, 2>>;
output_shape_t<broken> out;
