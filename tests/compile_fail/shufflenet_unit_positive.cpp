// EXPECT: shufflenet::inverted_residual: In and Out must be positive and Stride 1, 2 or 3.*shape_mismatch<.*>, 24, 116, 4>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<24, 56, 56>, shufflenet::inverted_residual<24, 116, 4>>;
output_shape_t<broken> out;
