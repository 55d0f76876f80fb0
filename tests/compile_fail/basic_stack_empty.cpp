// EXPECT: resnet::basic_stack: needs at least one block.*shape_mismatch<.*>, 0>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<64, 56, 56>, resnet::basic_stack<64, 0, 1>>;
output_shape_t<broken> out;
