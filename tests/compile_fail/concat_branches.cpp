// EXPECT: concat: needs 1 to 8 branches \(nest concats for more\).*shape_mismatch<.*>, 9>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<4, 8, 8>, concat<identity, identity, identity, identity, identity, identity, identity, identity, identity>>;
output_shape_t<broken> out;
