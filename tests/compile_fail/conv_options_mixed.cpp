// EXPECT: conv2d: with conv_options, give padding, groups and bias in the options, not as later template arguments
// Options by name, then a positional padding after them: one spelling per layer, so that no
// argument is silently ignored.
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<3, 32, 32>, conv2d<64, 3, conv_options{.stride = 2}, 1>>;
output_shape_t<broken> out;
