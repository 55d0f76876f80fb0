// EXPECT: mobilenet_v3::bneck: Stride must be 1 or 2.*shape_mismatch<.*>, 3>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<24, 56, 56>, mobilenet_v3::bneck<24, 5, 96, 40, true, hardswish, 3>>;
output_shape_t<broken> out;
