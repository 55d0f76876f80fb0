// EXPECT: shufflenet::inverted_residual: with Stride 1, In must equal Out.*shape_mismatch<.*>, 116, 232>
#include <typenet/typenet.hpp>
using namespace typenet;
// A stride-1 unit keeps half of its 116 channels: it cannot widen to 232.
using broken = model<input<116, 28, 28>, shufflenet::inverted_residual<116, 232, 1>>;
output_shape_t<broken> out;
