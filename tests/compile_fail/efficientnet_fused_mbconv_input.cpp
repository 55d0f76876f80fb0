// EXPECT: efficientnet::fused_mbconv: input channels must equal In.*shape_mismatch<.*>, 32, 24>
// EfficientNetV2's first stage after a 32-channel stem (V2-S's stem gives 24).
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<3, 64, 64>, efficientnet::features<efficientnet::conv_bn_silu<32, 3, 2>,
                                                             efficientnet::fused_stage<1, 3, 1, 24, 24, 2>>>;
output_shape_t<broken> out;
