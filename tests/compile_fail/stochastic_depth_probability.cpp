// EXPECT: stochastic_depth: P must be in \[0, 1\].*shape_mismatch<.*>, 1500000>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<64, 7, 7>, stochastic_depth<std::ratio<3, 2>>>;
output_shape_t<broken> out;
