// EXPECT: scale: needs exactly one gate.*shape_mismatch<.*two_gates, 2>
#include <typenet/typenet.hpp>
using namespace typenet;
struct two_gates : composite_of<ops::scale, global_avg_pool, global_avg_pool> {};
using broken = model<input<4, 7, 7>, two_gates>;
output_shape_t<broken> out;
