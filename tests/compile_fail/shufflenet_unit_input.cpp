// EXPECT: shufflenet::inverted_residual: input channels must equal In.*shape_mismatch<.*>, 116, 232>
#include <typenet/typenet.hpp>
using namespace typenet;
// stage4 written as if stage3 were missing.
using broken = model<input<24, 56, 56>, shufflenet::stage<24, 116, 4>, shufflenet::stage<232, 464, 4>>;
output_shape_t<broken> out;
