// EXPECT: inception::block: every branch's width must be positive.*shape_mismatch<.*>, 64, 96, 128, 0, 32, 32>
// GoogLeNet's module with a 5x5 reduce to no channels (the table's columns in order).
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<192, 28, 28>, inception::block<64, 96, 128, 0, 32, 32>>;
output_shape_t<broken> out;
