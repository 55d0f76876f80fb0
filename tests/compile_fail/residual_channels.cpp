// EXPECT: residual: branch and shortcut must give the same channels.*shape_mismatch<.*>, 32, 16>
// A hand-made residual whose branch widens the tensor: dlib's add_prev would zero-pad silently.
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<16, 8, 8>, residual<sequential<conv2d<32, 1>, batch_norm>, identity>>;
output_shape_t<broken> out;
