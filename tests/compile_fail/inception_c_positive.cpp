// EXPECT: inception::block_c: Channels7x7 must be positive.*shape_mismatch<.*>, -4>
// InceptionC with a negative width for its factorised 7x7 branches.
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<768, 17, 17>, inception::block_c<-4>>;
output_shape_t<broken> out;
