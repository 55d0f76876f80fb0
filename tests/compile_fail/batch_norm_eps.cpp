// EXPECT: batch_norm: Eps must be positive
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<3, 8, 8>, basic_batch_norm<std::ratio<0>>>;
output_shape_t<broken> out;
