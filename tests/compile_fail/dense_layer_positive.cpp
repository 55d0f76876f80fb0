// EXPECT: densenet::dense_layer: Growth and BnSize must be positive.*shape_mismatch<.*>, 32, 0>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<64, 28, 28>, densenet::dense_layer<32, 0>>;
output_shape_t<broken> out;
