// EXPECT: dropout: P must be in \[0, 1\).*shape_mismatch<.*>, 1000000>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<8, 1, 1>, dropout<std::ratio<1>>, linear<4>>;
output_shape_t<broken> out;
