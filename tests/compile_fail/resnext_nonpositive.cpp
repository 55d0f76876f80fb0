// EXPECT: resnext::block: Filters, Stride and Groups must be positive
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<64, 56, 56>, resnext::block<128, 0, true>>;
output_shape_t<broken> out;
