// EXPECT: linear: the input must be \(C, 1, 1\): flatten first.*shape_mismatch<.*>, 512, 7, 7>
// A classifier straight on a feature map: the pool (or flatten) was forgotten.
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<512, 7, 7>, named<"fc", linear<1000>>>;
output_shape_t<broken> out;
