// EXPECT: mobilenet_v3::bneck: input channels must equal In.*shape_mismatch<.*>, 16, 24>
// A bneck row written for 24 input channels after a row that gives 16.
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<16, 56, 56>, mobilenet_v3::bneck<16, 3, 16, 16, true, relu, 2>,
                     mobilenet_v3::bneck<24, 3, 88, 24, false, relu, 1>>;
output_shape_t<broken> out;
