// EXPECT: densenet::block: needs at least one layer.*shape_mismatch<.*>, 0>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<64, 28, 28>, densenet::block<0, 32>>;
output_shape_t<broken> out;
