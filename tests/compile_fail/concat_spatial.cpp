// EXPECT: concat: every branch must give the same height and width.*shape_mismatch<.*>, 1, 8, 8, 6, 6>
// An Inception-style module whose 3x3 branch forgot its padding: torch.cat would fail at run time.
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<16, 8, 8>, concat<conv2d<8, 3>, conv2d<8, 1>>>;
output_shape_t<broken> out;
