// EXPECT: resnext::block: identity shortcut needs input channels == 2\*Filters.*shape_mismatch<.*>, 64, 256>
// The seed's question made real: a stage whose first block has no projection shortcut. The stem
// gives 64 channels, the block's residual branch ends in 2*128 = 256: Keras' Add would raise
// "Inputs have incompatible shapes" at graph build; here it does not compile.
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<3, 224, 224>, conv2d<64, 7, 2, 3>, batch_norm, relu, max_pool<3, 2, 1>,
                     resnext::block<128, 1, false>, resnext::block<128, 1, false>>;
output_shape_t<broken> out;
