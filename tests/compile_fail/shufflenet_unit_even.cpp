// EXPECT: shufflenet::inverted_residual: Out must be even.*shape_mismatch<.*>, 115>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<24, 56, 56>, shufflenet::stage<24, 115, 4>>;
output_shape_t<broken> out;
