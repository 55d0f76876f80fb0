// EXPECT: squeezenet::fire: Squeeze, Expand1x1 and Expand3x3 must be positive.*shape_mismatch<.*>, 0, 64, 64>
// A fire module that squeezes to no channels.
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<64, 55, 55>, squeezenet::fire<0, 64, 64>>;
constexpr long p = param_count_v<broken>;
