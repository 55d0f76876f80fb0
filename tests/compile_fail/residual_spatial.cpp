// EXPECT: residual: branch and shortcut must give the same height and width.*shape_mismatch<.*>, 4, 4, 8, 8>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<16, 8, 8>, residual<conv2d<16, 3, 2, 1>, identity>>;
output_shape_t<broken> out;
