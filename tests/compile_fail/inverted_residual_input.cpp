// EXPECT: mobilenet::inverted_residual: input channels must equal In.*shape_mismatch<.*>, 24, 32>
// A MobileNetV2 stage whose first block is written for 32 input channels after a stage of 24.
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<24, 56, 56>, mobilenet::features<mobilenet::stage<32, 64, 2, 2, 6>>>;
output_shape_t<broken> out;
