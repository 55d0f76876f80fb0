// EXPECT: shufflenet::stage: needs at least one unit.*shape_mismatch<.*>, 0>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<24, 56, 56>, shufflenet::stage<24, 116, 0>>;
output_shape_t<broken> out;
